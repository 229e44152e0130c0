"""The demo stories, in French with their English translation. Real campaign content:
portraits of the kind the campaign publishes, with first names and initials only."""

# (slug, name fr/en, slug en)
THEMES = [
    ("aines", ("Aînés", "Older people"), "older-people"),
    ("courses-services", ("Courses et services", "Shopping and errands"), "errands"),
    ("lien-social", ("Lien social", "Bringing people together"), "together"),
    ("entraide-numerique", ("Entraide numérique", "Digital help"), "digital-help"),
    ("reparation", ("Réparation", "Repair"), "repair"),
    ("accueil", ("Accueil", "Welcoming newcomers"), "welcome"),
    ("environnement", ("Environnement", "Environment"), "environment"),
]

INDEX = {
    "title": ("Héros du civisme ordinaire", "Everyday civic heroes"),
    "slug": ("histoires", "stories"),
    "introduction": (
        "Ils portent des courses, réparent des vélos, prennent des nouvelles. Voici des "
        "voisins qui aident sans bruit, partout en France. Leur histoire vous donnera "
        "peut-être une idée.",
        "They carry shopping, fix bikes, check in on people. Here are neighbours who help "
        "quietly, all over France. Their stories might give you an idea.",
    ),
    "nomination_intro": (
        "Vous connaissez quelqu'un qui aide son entourage sans rien demander ? Racontez-nous. "
        "Nous lisons chaque proposition, et nous demandons toujours son accord à la personne "
        "avant d'écrire son histoire.",
        "Do you know someone who helps the people around them without asking for anything? "
        "Tell us. We read every nomination, and we always ask the person's agreement before "
        "writing their story.",
    ),
}

# Each story: slug, (title fr, en), (first name, initial), INSEE code, themes, gesture numbers,
# (summary fr, en), [(paragraph fr, en)…], (pull-quote fr, en), date, (credit fr, en),
# (portrait palette: background, clothes, accent), (alt fr, en)
STORIES = [
    {
        "slug": "josiane-et-les-courses-du-cinquieme",
        "title": ("Josiane et les courses du cinquième", "Josiane and the fifth-floor shopping"),
        "hero": ("Josiane", "M"),
        "insee": "77288",
        "themes": ["courses-services", "aines"],
        "gestures": [11, 2],
        "summary": (
            "Depuis dix ans, Josiane monte les courses de ses voisins âgés. L'ascenseur tombe "
            "souvent en panne, alors elle passe chaque samedi matin.",
            "For ten years, Josiane has carried her elderly neighbours' shopping upstairs. The "
            "lift often breaks down, so she comes by every Saturday morning.",
        ),
        "paragraphs": [
            (
                "Tout a commencé un samedi de panne d'ascenseur. Josiane a croisé Marcel, 86 "
                "ans, assis sur une marche du troisième étage avec deux sacs trop lourds. Elle "
                "les a portés jusqu'à chez lui. Le samedi suivant, elle a frappé à sa porte.",
                "It all started on a Saturday when the lift was broken. Josiane met Marcel, "
                "86, sitting on a step on the third floor with two bags that were too heavy. "
                "She carried them to his flat. The following Saturday, she knocked on his door.",
            ),
            (
                "Aujourd'hui, elle fait les courses de trois voisins. Elle note les listes sur "
                "un carnet, garde les tickets et rend la monnaie au centime près. « Ce n'est "
                "rien, dit-elle. Je fais les miennes en même temps. »",
                "Today she does the shopping for three neighbours. She writes the lists in a "
                "notebook, keeps the receipts and gives back the change to the cent. \"It's "
                'nothing," she says. "I do mine at the same time."',
            ),
        ],
        "quote": (
            "On se croisait dans l'escalier depuis vingt ans. Maintenant, on s'appelle.",
            "We had passed each other on the stairs for twenty years. Now we call each other.",
        ),
        "date": "2026-01-12",
        "credit": (
            "Texte : mairie de Melun. Illustration : équipe de la campagne.",
            "Text: Melun town hall. Illustration: campaign team.",
        ),
        "palette": ("#f2b441", "#a63d25", "#fffbf5"),
    },
    {
        "slug": "karim-repare-les-velos-du-quartier",
        "title": ("Karim répare les vélos du quartier", "Karim fixes the neighbourhood's bikes"),
        "hero": ("Karim", "B"),
        "insee": "29019",
        "themes": ["reparation", "lien-social"],
        "gestures": [43, 42],
        "summary": (
            "Chaque samedi, Karim installe ses outils au pied de son immeuble à Brest. Les "
            "enfants arrivent avec un pneu crevé et repartent en sachant le réparer.",
            "Every Saturday, Karim sets out his tools at the foot of his building in Brest. "
            "Children arrive with a flat tyre and leave knowing how to fix it.",
        ),
        "paragraphs": [
            (
                "Karim a appris la mécanique avec son père. Quand il a vu les vélos abandonnés "
                "dans le local de l'immeuble, il a demandé l'accord du gardien et les a remis en "
                "état, un par un.",
                "Karim learnt mechanics from his father. When he saw the abandoned bikes in the "
                "building's storeroom, he asked the caretaker's permission and repaired them, "
                "one by one.",
            ),
            (
                "Son atelier n'a pas de nom. Il a une caisse à outils, une pompe et une règle : "
                "on répare ensemble. Les parents restent discuter. Certains apportent le café.",
                "His workshop has no name. It has a toolbox, a pump and one rule: we fix it "
                "together. Parents stay and chat. Some bring coffee.",
            ),
        ],
        "quote": (
            "Un enfant qui sait changer une chambre à air, il ne laisse plus son vélo à la cave.",
            "A child who knows how to change an inner tube never leaves their bike in the "
            "cellar again.",
        ),
        "date": "2026-01-26",
        "credit": (
            "Texte : équipe de la campagne. Illustration : équipe de la campagne.",
            "Text: campaign team. Illustration: campaign team.",
        ),
        "palette": ("#1d5c63", "#f2b441", "#fffbf5"),
    },
    {
        "slug": "fatou-et-l-atelier-smartphone",
        "title": ("Fatou et l'atelier smartphone", "Fatou and the smartphone workshop"),
        "hero": ("Fatou", "D"),
        "insee": "59350",
        "themes": ["entraide-numerique", "aines"],
        "gestures": [32, 33],
        "summary": (
            "À Lille, Fatou aide les aînés de sa résidence à se servir de leur téléphone. "
            "Grâce à elle, Paulette voit ses petits-enfants en vidéo chaque dimanche.",
            "In Lille, Fatou helps the older residents of her block use their phones. Thanks "
            "to her, Paulette sees her grandchildren on video every Sunday.",
        ),
        "paragraphs": [
            (
                "Fatou est étudiante en informatique. Un soir, une voisine lui a demandé de "
                "l'aide pour un rendez-vous médical en ligne. La semaine suivante, elles étaient "
                "six autour de la table de la salle commune.",
                "Fatou is a computer science student. One evening, a neighbour asked her for "
                "help booking a medical appointment online. The following week, there were six "
                "of them around the table in the common room.",
            ),
            (
                "Elle prend le temps. Elle écrit chaque étape sur une fiche, en gros caractères. "
                "Elle apprend aussi à repérer les messages frauduleux : « Dans le doute, on ne "
                "clique pas, on m'appelle. »",
                "She takes her time. She writes each step on a card, in large print. She also "
                'teaches how to spot scam messages: "If in doubt, don\'t click, call me."',
            ),
        ],
        "quote": (
            "Ils m'apprennent la patience. Moi, je leur apprends le bouton vert.",
            "They teach me patience. I teach them the green button.",
        ),
        "date": "2026-02-09",
        "credit": (
            "Texte : centre social du quartier. Illustration : équipe de la campagne.",
            "Text: neighbourhood community centre. Illustration: campaign team.",
        ),
        "palette": ("#e8a0a0", "#1d5c63", "#f2b441"),
    },
    {
        "slug": "andre-et-le-potager-partage",
        "title": ("André et le potager partagé", "André and the shared vegetable garden"),
        "hero": ("André", "L"),
        "insee": "31555",
        "themes": ["environnement", "lien-social"],
        "gestures": [62, 50],
        "summary": (
            "À Toulouse, André a transformé une pelouse grillée en potager. Douze familles y "
            "cultivent des tomates, et les récoltes se partagent sur le banc d'à côté.",
            "In Toulouse, André turned a scorched lawn into a vegetable garden. Twelve families "
            "grow tomatoes there, and the harvest is shared on the bench next to it.",
        ),
        "paragraphs": [
            (
                "Jardinier à la retraite, André trouvait triste cette pelouse où personne ne "
                "s'asseyait. Il a écrit au bailleur, puis à la mairie. Un an plus tard, les "
                "premiers bacs étaient en place.",
                "A retired gardener, André found it sad that nobody ever sat on that lawn. He "
                "wrote to the landlord, then to the town hall. A year later, the first planters "
                "were in place.",
            ),
            (
                "Chacun a sa parcelle, mais l'arrosage se fait à tour de rôle. Pendant l'été, "
                "ceux qui partent en vacances savent que leurs plants seront soignés.",
                "Everyone has their own plot, but watering is done in turns. In summer, those "
                "who go on holiday know their plants will be looked after.",
            ),
        ],
        "quote": (
            "Les tomates poussent mieux quand on se parle par-dessus les bacs.",
            "Tomatoes grow better when people chat across the planters.",
        ),
        "date": "2026-02-23",
        "credit": (
            "Texte : mairie de Toulouse. Illustration : équipe de la campagne.",
            "Text: Toulouse town hall. Illustration: campaign team.",
        ),
        "palette": ("#9cc58f", "#7e2c1a", "#f2b441"),
    },
    {
        "slug": "leila-accueille-les-nouveaux-voisins",
        "title": ("Leïla accueille les nouveaux voisins", "Leïla welcomes new neighbours"),
        "hero": ("Leïla", "H"),
        "insee": "44109",
        "themes": ["accueil", "lien-social"],
        "gestures": [51, 52],
        "summary": (
            "À Nantes, chaque nouvelle famille de l'immeuble trouve un mot de Leïla dans sa "
            "boîte aux lettres, avec un plan du quartier dessiné à la main.",
            "In Nantes, every new family in the building finds a note from Leïla in their "
            "letterbox, with a hand-drawn map of the neighbourhood.",
        ),
        "paragraphs": [
            (
                "Leïla se souvient de son arrivée à Nantes : personne ne lui avait dit où était "
                "la boulangerie. Alors elle a dessiné un plan : l'école, la pharmacie, le marché "
                "du jeudi, la médiathèque.",
                "Leïla remembers arriving in Nantes: nobody had told her where the bakery was. "
                "So she drew a map: the school, the chemist, the Thursday market, the library.",
            ),
            (
                "Elle glisse le plan avec un mot et son numéro d'appartement. Souvent, on sonne "
                "chez elle quelques jours plus tard, pour demander un conseil ou simplement "
                "pour dire merci.",
                "She slips the map in with a note and her flat number. Often, a few days later, "
                "someone rings her bell to ask for advice or simply to say thank you.",
            ),
        ],
        "quote": (
            "Un mot dans la boîte aux lettres, ça coûte un timbre de moins qu'une lettre, et "
            "ça change une arrivée.",
            "A note in the letterbox costs less than a stamp, and it changes how it feels "
            "to arrive.",
        ),
        "date": "2026-03-09",
        "credit": (
            "Texte : équipe de la campagne. Illustration : équipe de la campagne.",
            "Text: campaign team. Illustration: campaign team.",
        ),
        "palette": ("#f5e9da", "#1d5c63", "#a63d25"),
    },
    {
        "slug": "pierre-et-le-cafe-du-mardi",
        "title": ("Pierre et le café du mardi", "Pierre and the Tuesday coffee"),
        "hero": ("Pierre", "S"),
        "insee": "67482",
        "themes": ["lien-social", "aines"],
        "gestures": [26, 21],
        "summary": (
            "À Strasbourg, Pierre sert le café chaque mardi au pied de sa résidence. Une "
            "thermos, des gobelets, un panneau : il n'en faut pas plus pour se rencontrer.",
            "In Strasbourg, Pierre serves coffee every Tuesday at the foot of his building. A "
            "flask, some cups, a sign: that is all it takes for people to meet.",
        ),
        "paragraphs": [
            (
                "Pierre vivait dans sa résidence depuis quinze ans sans connaître le prénom de "
                "ses voisins. Le jour de sa retraite, il a posé une table pliante devant "
                "l'entrée, avec un panneau : « Café offert, servez-vous. »",
                "Pierre had lived in his building for fifteen years without knowing his "
                "neighbours' first names. On the day he retired, he set up a folding table by "
                'the entrance, with a sign: "Free coffee, help yourself."',
            ),
            (
                "Les premiers mardis, il était seul. Puis une voisine a apporté des biscuits. "
                "Aujourd'hui, une vingtaine de personnes passent. On s'y échange des outils, des "
                "recettes, des nouvelles.",
                "The first few Tuesdays, he was alone. Then a neighbour brought biscuits. Today, "
                "about twenty people drop by. They swap tools, recipes and news.",
            ),
        ],
        "quote": (
            "Je ne fais rien d'extraordinaire. Je fais juste chauffer de l'eau.",
            "I do nothing extraordinary. I just boil some water.",
        ),
        "date": "2026-03-23",
        "credit": (
            "Texte : mairie de Strasbourg. Illustration : équipe de la campagne.",
            "Text: Strasbourg town hall. Illustration: campaign team.",
        ),
        "palette": ("#c9b6e4", "#1f1a17", "#f2b441"),
    },
    {
        "slug": "martine-et-les-appels-du-dimanche",
        "title": ("Martine et les appels du dimanche", "Martine and the Sunday phone calls"),
        "hero": ("Martine", "R"),
        "insee": "87085",
        "themes": ["aines", "lien-social"],
        "gestures": [3, 10],
        "summary": (
            "À Limoges, Martine appelle chaque dimanche cinq aînés qui vivent seuls. Une "
            "conversation de dix minutes, et la semaine commence mieux.",
            "In Limoges, Martine calls five older people who live alone every Sunday. A "
            "ten-minute conversation, and the week starts better.",
        ),
        "paragraphs": [
            (
                "Pendant la canicule de 2019, Martine s'est inscrite sur le registre de la "
                "mairie pour appeler les personnes isolées. L'été a passé. Elle n'a pas "
                "arrêté.",
                "During the 2019 heatwave, Martine signed up on the town hall's register to "
                "call isolated people. The summer ended. She didn't stop.",
            ),
            (
                "Elle appelle toujours à la même heure. Elle connaît les prénoms des "
                "petits-enfants, les rendez-vous chez le médecin, les recettes préférées. Une "
                "fois, un silence inhabituel l'a inquiétée : elle a prévenu la famille à temps.",
                "She always calls at the same time. She knows the grandchildren's names, the "
                "doctor's appointments, the favourite recipes. Once, an unusual silence worried "
                "her: she alerted the family in time.",
            ),
        ],
        "quote": (
            "Le dimanche, mon téléphone sonne. Je sais que c'est elle, et je souris déjà.",
            "On Sundays, my phone rings. I know it's her, and I'm already smiling.",
        ),
        "date": "2026-04-06",
        "credit": (
            "Texte : CCAS de Limoges. Illustration : équipe de la campagne.",
            "Text: Limoges social action centre. Illustration: campaign team.",
        ),
        "palette": ("#f7c59f", "#7e2c1a", "#1d5c63"),
    },
    {
        "slug": "yanis-et-la-boite-a-livres",
        "title": ("Yanis et la boîte à livres", "Yanis and the book box"),
        "hero": ("Yanis", "T"),
        "insee": "25056",
        "themes": ["reparation", "environnement"],
        "gestures": [44, 45],
        "summary": (
            "À Besançon, Yanis, 15 ans, a construit une boîte à livres avec des planches de "
            "récupération. Elle ne reste jamais vide plus d'une journée.",
            "In Besançon, 15-year-old Yanis built a book box from reclaimed planks. It never "
            "stays empty for more than a day.",
        ),
        "paragraphs": [
            (
                "Pour son stage de troisième, Yanis a passé une semaine chez un menuisier. Il en "
                "est revenu avec une idée et des chutes de bois. Avec l'accord de la mairie, la "
                "boîte a trouvé sa place près de l'arrêt de bus.",
                "For his work experience week, Yanis spent five days with a carpenter. He came "
                "back with an idea and offcuts of wood. With the town hall's agreement, the box "
                "found its place near the bus stop.",
            ),
            (
                "Il passe chaque soir vérifier que tout va bien. Il range, répare une charnière, "
                "ajoute un livre de temps en temps. Les voisins y déposent romans, BD et "
                "recettes.",
                "He comes by every evening to check everything is fine. He tidies up, fixes a "
                "hinge, adds a book now and then. Neighbours leave novels, comics and recipes.",
            ),
        ],
        "quote": (
            "J'ai mis une étagère en bas pour les enfants. Elle se vide la première.",
            "I put a shelf at the bottom for children. It's always the first to empty.",
        ),
        "date": "2026-04-20",
        "credit": (
            "Texte : collège du quartier. Illustration : équipe de la campagne.",
            "Text: local secondary school. Illustration: campaign team.",
        ),
        "palette": ("#8fb8de", "#a63d25", "#fffbf5"),
    },
    {
        "slug": "sophie-traduit-les-courriers",
        "title": ("Sophie traduit les courriers", "Sophie translates the letters"),
        "hero": ("Sophie", "N"),
        "insee": "76540",
        "themes": ["accueil", "entraide-numerique"],
        "gestures": [53, 31],
        "summary": (
            "À Rouen, Sophie aide les familles qui lisent mal le français à comprendre leurs "
            "courriers : la CAF, l'école, les impôts. Une heure par semaine, à la médiathèque.",
            "In Rouen, Sophie helps families who struggle to read French understand their "
            "letters: benefits, school, taxes. One hour a week, at the library.",
        ),
        "paragraphs": [
            (
                "Sophie parle français, anglais et portugais. Professeure à la retraite, elle a "
                "proposé ses services à la médiathèque. On lui a prêté une table, le mercredi de "
                "14 heures à 15 heures.",
                "Sophie speaks French, English and Portuguese. A retired teacher, she offered "
                "her help to the library. They lent her a table, on Wednesdays from 2 to 3 pm.",
            ),
            (
                "Elle explique, elle ne décide pas à la place des gens. Quand une démarche "
                "dépasse ce qu'elle sait faire, elle oriente vers le bon service et note le nom "
                "de la personne à appeler.",
                "She explains; she doesn't decide for people. When a procedure goes beyond what "
                "she knows, she points them to the right office and writes down who to call.",
            ),
        ],
        "quote": (
            "Une lettre qu'on ne comprend pas, on la laisse sur la table. Et elle fait peur.",
            "A letter you don't understand stays on the table. And it frightens you.",
        ),
        "date": "2026-05-04",
        "credit": (
            "Texte : médiathèque de Rouen. Illustration : équipe de la campagne.",
            "Text: Rouen library. Illustration: campaign team.",
        ),
        "palette": ("#f2d0a4", "#1d5c63", "#a63d25"),
    },
    {
        "slug": "antoine-et-le-nettoyage-de-la-plage",
        "title": ("Antoine et le nettoyage de la plage", "Antoine and the beach clean-up"),
        "hero": ("Antoine", "C"),
        "insee": "2A004",
        "themes": ["environnement", "lien-social"],
        "gestures": [61],
        "summary": (
            "À Ajaccio, Antoine donne rendez-vous aux voisins un dimanche par mois pour "
            "ramasser les déchets sur la plage. Les enfants comptent les bouchons.",
            "In Ajaccio, Antoine invites his neighbours to pick up litter on the beach one "
            "Sunday a month. The children count the bottle caps.",
        ),
        "paragraphs": [
            (
                "Pêcheur amateur, Antoine voyait chaque matin les sacs plastiques dans les "
                "rochers. Il a commencé seul, avec un seau. Le mois suivant, ses voisins "
                "l'accompagnaient.",
                "An amateur fisherman, Antoine saw plastic bags in the rocks every morning. He "
                "started alone, with a bucket. The next month, his neighbours came along.",
            ),
            (
                "La mairie prête les gants et reprend les sacs. Après le ramassage, tout le "
                "monde partage un pique-nique. Les enfants tiennent le carnet des trouvailles.",
                "The town hall lends gloves and collects the bags. After the clean-up, everyone "
                "shares a picnic. The children keep the logbook of finds.",
            ),
        ],
        "quote": (
            "La mer nous donne tant. Une matinée par mois, c'est bien le moins.",
            "The sea gives us so much. One morning a month is the least we can do.",
        ),
        "date": "2026-05-18",
        "credit": (
            "Texte : mairie d'Ajaccio. Illustration : équipe de la campagne.",
            "Text: Ajaccio town hall. Illustration: campaign team.",
        ),
        "palette": ("#7cc6c9", "#f2b441", "#fffbf5"),
    },
    {
        "slug": "nadia-et-les-repas-de-l-immeuble",
        "title": ("Nadia et les repas de l'immeuble", "Nadia and the building's meals"),
        "hero": ("Nadia", "K"),
        "insee": "13213",
        "themes": ["courses-services", "lien-social"],
        "gestures": [17, 22],
        "summary": (
            "À Marseille, Nadia cuisine toujours une portion de plus. Elle la porte au voisin "
            "du dessous, sorti de l'hôpital il y a trois mois.",
            "In Marseille, Nadia always cooks one extra portion. She takes it to her downstairs "
            "neighbour, who left hospital three months ago.",
        ),
        "paragraphs": [
            (
                "Quand Ahmed est rentré de l'hôpital, il ne pouvait plus faire ses courses. "
                "Nadia l'a appris par la gardienne. Le soir même, elle sonnait chez lui avec un "
                "plat de lentilles.",
                "When Ahmed came home from hospital, he could no longer do his shopping. Nadia "
                "heard about it from the caretaker. That same evening, she rang his bell with a "
                "dish of lentils.",
            ),
            (
                "D'autres voisins ont suivi. Un tableau dans le hall indique qui cuisine quel "
                "jour. Ahmed va mieux. Il a promis de leur apprendre son couscous.",
                "Other neighbours followed. A board in the hall shows who cooks on which day. "
                "Ahmed is getting better. He has promised to teach them his couscous.",
            ),
        ],
        "quote": (
            "Une portion de plus, ce n'est pas du travail en plus. C'est juste un peu plus d'eau "
            "dans la casserole.",
            "One extra portion isn't extra work. It's just a little more water in the pan.",
        ),
        "date": "2026-06-01",
        "credit": (
            "Texte : équipe de la campagne. Illustration : équipe de la campagne.",
            "Text: campaign team. Illustration: campaign team.",
        ),
        "palette": ("#f4a261", "#264653", "#fffbf5"),
    },
    {
        "slug": "gerard-et-le-sel-de-l-hiver",
        "title": ("Gérard et le sel de l'hiver", "Gérard and the winter salt"),
        "hero": ("Gérard", "P"),
        "insee": "15014",
        "themes": ["aines", "environnement"],
        "gestures": [85, 82],
        "summary": (
            "À Aurillac, Gérard se lève avant tout le monde les matins de verglas. Il sale "
            "l'entrée de l'immeuble et passe voir les voisins âgés.",
            "In Aurillac, Gérard gets up before everyone else on icy mornings. He salts the "
            "building's entrance and looks in on the older neighbours.",
        ),
        "paragraphs": [
            (
                "Dans le Cantal, l'hiver est long. Un matin, une voisine a glissé devant "
                "l'entrée. Depuis, Gérard garde un sac de sel et une pelle dans son garage.",
                "In the Cantal, winter is long. One morning, a neighbour slipped by the "
                "entrance. Since then, Gérard has kept a bag of salt and a shovel in his garage.",
            ),
            (
                "Après le déneigement, il frappe chez les voisins qui vivent seuls : « Il vous "
                "manque quelque chose ? Du pain, des médicaments ? » Il fait le tour en une "
                "demi-heure.",
                "After clearing the snow, he knocks on the doors of neighbours who live alone: "
                '"Do you need anything? Bread, medicine?" He does the rounds in half an hour.',
            ),
        ],
        "quote": (
            "Tant que j'ai mes jambes, personne ne tombera devant la porte.",
            "As long as I have my legs, nobody will fall in front of the door.",
        ),
        "date": "2026-06-15",
        "credit": (
            "Texte : mairie d'Aurillac. Illustration : équipe de la campagne.",
            "Text: Aurillac town hall. Illustration: campaign team.",
        ),
        "palette": ("#b8c4d6", "#a63d25", "#fffbf5"),
    },
]

# Portrait alt text, built from each story's palette description (truthful: it describes
# the generated illustration, not a real person).
COLOUR_NAMES = {
    "#f2b441": ("jaune d'or", "golden yellow"),
    "#1d5c63": ("bleu canard", "teal"),
    "#e8a0a0": ("rose", "pink"),
    "#9cc58f": ("vert tendre", "soft green"),
    "#f5e9da": ("sable", "sand"),
    "#c9b6e4": ("lavande", "lavender"),
    "#f7c59f": ("pêche", "peach"),
    "#8fb8de": ("bleu ciel", "sky blue"),
    "#f2d0a4": ("abricot", "apricot"),
    "#7cc6c9": ("turquoise", "turquoise"),
    "#f4a261": ("orangé", "orange"),
    "#b8c4d6": ("gris bleuté", "bluish grey"),
    "#a63d25": ("brique", "brick red"),
    "#7e2c1a": ("brun rouge", "reddish brown"),
    "#1f1a17": ("noir", "black"),
    "#264653": ("bleu nuit", "dark blue"),
    "#fffbf5": ("crème", "cream"),
}
