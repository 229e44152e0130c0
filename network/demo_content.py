"""The network's demo content, in French with its English translation, drawn from the
campaign's founding texts: a colloquium of local actors who want to know each other ("qui
fait quoi sur le territoire ?"), a network of elected officials asking for "expertise de
chaque membre, contact, bonnes pratiques" and "une boîte à outils, des fiches pratiques, des
dossiers thématiques", and residents who ask for physical help points and digital
mediation."""

import datetime

INDEX = {
    "title": ("Réseau des élus solidaires", "Solidarity officials' network"),
    "slug": ("reseau-des-elus", "officials-network"),
    "introduction": (
        "L'espace des élus et des agents qui font vivre la campagne : des fiches pratiques "
        "pour refaire ce qui a marché ailleurs, des dossiers thématiques, les référents de "
        "chaque région et les rencontres du réseau.",
        "The space for the elected officials and staff who bring the campaign to life: "
        "practice sheets to repeat what worked elsewhere, thematic dossiers, each region's "
        "referents and the network's meetings.",
    ),
}

SHEETS = [
    {
        "slug": ("forum-qui-fait-quoi", "who-does-what-forum"),
        "insee": "77288",
        "categories": ["lien-social", "veille-secours"],
        "title": (
            "Un forum « Qui fait quoi ? » pour que les acteurs locaux se connaissent",
            'A "Who does what?" forum so that local actors get to know each other',
        ),
        "summary": (
            "Associations, CCAS et services se croisaient sans se connaître. Un colloque "
            "d'une journée a dressé la carte de qui fait quoi sur le territoire.",
            "Associations, the social welfare office and public services crossed paths "
            "without knowing each other. A one-day colloquium mapped who does what locally.",
        ),
        "problem": (
            "Les habitants en difficulté étaient renvoyés d'un guichet à l'autre. Les "
            "acteurs de la solidarité ne savaient pas qui fait quoi sur le territoire, et "
            "chacun pensait être seul sur son sujet.",
            "Residents in difficulty were sent from one desk to another. Solidarity actors "
            "did not know who does what locally, and each thought they were alone on their "
            "subject.",
        ),
        "actions": (
            "La mairie a réuni pendant une journée les associations, le CCAS, les centres "
            "sociaux et les services publics. D'abord se connaître, puis se reconnaître, "
            "c'est-à-dire voir où l'on se complète, enfin agir ensemble.",
            "The town hall brought associations, the social welfare office, community "
            "centres and public services together for a day. First know each other, then "
            "recognise where we complement each other, and finally act together.",
        ),
        "steps": [
            (
                ("Lister les acteurs", "List the actors"),
                (
                    "Le CCAS a recensé 60 structures à partir de ses propres contacts.",
                    "The social welfare office listed 60 organisations from its own contacts.",
                ),
            ),
            (
                ("Organiser la journée", "Organise the day"),
                (
                    "Une table ronde le matin, des ateliers par public l'après-midi.",
                    "A round table in the morning, workshops by public in the afternoon.",
                ),
            ),
            (
                ("Publier l'annuaire", "Publish the directory"),
                (
                    "Un annuaire des ressources intercommunales, mis à jour deux fois par an.",
                    "A directory of intermunicipal resources, updated twice a year.",
                ),
            ),
        ],
        "budget": (
            "1 200 € : salle prêtée, impression de l'annuaire, café.",
            "€1,200: a lent hall, printing the directory, coffee.",
        ),
        "partners": (
            "CCAS, centres sociaux, médiathèque, associations de quartier.",
            "Social welfare office, community centres, library, neighbourhood associations.",
        ),
        "results": (
            "42 structures présentes, un annuaire partagé, et deux permanences communes "
            "créées dans l'année.",
            "42 organisations took part, a shared directory, and two joint drop-in desks "
            "created within the year.",
        ),
        "contact": ("Claire Martin", ("Adjointe aux solidarités", "Deputy mayor for solidarity")),
        "email": "solidarites@melun.example",
        "phone": "01 00 00 00 01",
        "agreed": datetime.date(2026, 10, 2),
    },
    {
        "slug": ("reseau-elus-bonnes-pratiques", "officials-sharing-good-practice"),
        "insee": "29019",
        "categories": ["lien-social"],
        "title": (
            "Un réseau d'élus qui partagent leurs bonnes pratiques",
            "A network of officials who share their good practice",
        ),
        "summary": (
            "Des élus isolés réinventaient chacun les mêmes actions. Ils ont monté un réseau "
            "avec l'expertise de chaque membre, ses contacts et ses bonnes pratiques.",
            "Isolated officials were each reinventing the same actions. They built a network "
            "with each member's expertise, contacts and good practice.",
        ),
        "problem": (
            "Dans les petites communes, l'élu chargé des solidarités travaille souvent seul. "
            "Il ne sait pas que la commune voisine a déjà résolu le même problème.",
            "In small towns, the official in charge of solidarity often works alone. They do "
            "not know that the neighbouring town has already solved the same problem.",
        ),
        "actions": (
            "Les élus ont demandé une plateforme avec l'expertise de chaque membre, son "
            "contact et ses bonnes pratiques, puis une boîte à outils, des fiches pratiques "
            "et des dossiers thématiques. Des référents par région animent le réseau.",
            "The officials asked for a platform with each member's expertise, contact and "
            "good practice, then a toolbox, practice sheets and thematic dossiers. Referents "
            "in each region run the network.",
        ),
        "steps": [
            (
                ("Recenser les expertises", "Map the expertise"),
                (
                    "Un court questionnaire à chaque élu volontaire.",
                    "A short questionnaire for each volunteer official.",
                ),
            ),
            (
                ("Écrire les premières fiches", "Write the first sheets"),
                (
                    "Une fiche par action : le problème, ce qui a été fait, le budget.",
                    "One sheet per action: the problem, what was done, the budget.",
                ),
            ),
            (
                ("Se retrouver chaque trimestre", "Meet every quarter"),
                (
                    "Une rencontre régionale, en salle et en ligne.",
                    "A regional meeting, in person and online.",
                ),
            ),
        ],
        "budget": (
            "Aucun budget propre : du temps d'élus.",
            "No budget of its own: officials' time.",
        ),
        "partners": (
            "Association des maires du département.",
            "The département's mayors' association.",
        ),
        "results": (
            "25 communes membres, 14 fiches écrites la première année.",
            "25 member towns, 14 sheets written in the first year.",
        ),
        "contact": (
            "Yann Le Gall",
            ("Conseiller municipal délégué", "Councillor with a portfolio"),
        ),
        "email": "vie-associative@brest.example",
        "phone": "",
        "agreed": None,  # not agreed: the sheet shows no contact
    },
    {
        "slug": ("points-entraide-mediation-numerique", "help-points-digital-mediation"),
        "insee": "87085",
        "categories": ["entraide-numerique", "aines"],
        "title": (
            "Des points d'entraide et une médiation numérique pour ceux qui n'ont pas internet",
            "Help points and digital mediation for people without the internet",
        ),
        "summary": (
            "Des habitants craignaient qu'un site laisse de côté ceux qui n'ont pas internet. "
            "La ville a ouvert des permanences où l'on vient se faire aider.",
            "Residents feared that a website would leave out people without the internet. "
            "The city opened drop-in desks where people come for help.",
        ),
        "problem": (
            "Beaucoup d'habitants âgés n'ont ni ordinateur ni smartphone. Pour eux, une "
            "inscription en ligne est une porte fermée.",
            "Many older residents have neither a computer nor a smartphone. For them, "
            "signing up online is a closed door.",
        ),
        "actions": (
            "Des points d'entraide physiques, à la médiathèque et à la mairie annexe, avec "
            "un conseiller numérique et des bénévoles. On y remplit un formulaire, on s'y "
            "inscrit avec l'aide de quelqu'un.",
            "Physical help points, at the library and the local town hall office, with a "
            "digital adviser and volunteers. People fill in a form there, or sign up with "
            "someone's help.",
        ),
        "steps": [
            (
                ("Choisir des lieux connus", "Choose familiar places"),
                (
                    "La médiathèque et la mairie annexe.",
                    "The library and the local town hall office.",
                ),
            ),
            (
                ("Former les bénévoles", "Train the volunteers"),
                (
                    "Deux demi-journées avec le conseiller numérique.",
                    "Two half-days with the digital adviser.",
                ),
            ),
        ],
        "budget": (
            "3 000 € par an, surtout du matériel.",
            "€3,000 a year, mostly equipment.",
        ),
        "partners": (
            "Conseillers numériques France Services, club des aînés.",
            "France Services digital advisers, the older people's club.",
        ),
        "results": (
            "Deux permanences par semaine, 300 personnes aidées la première année.",
            "Two drop-in sessions a week, 300 people helped in the first year.",
        ),
        "contact": (
            "Sophie Bernard",
            ("Adjointe au numérique", "Deputy mayor for digital affairs"),
        ),
        "email": "numerique@limoges.example",
        "phone": "05 00 00 00 03",
        "agreed": datetime.date(2026, 11, 5),
    },
]

DOSSIER = {
    "slug": ("se-connaitre-agir-ensemble", "know-each-other-act-together"),
    "title": (
        "Se connaître, se reconnaître, agir ensemble",
        "Know each other, recognise each other, act together",
    ),
    "introduction": (
        "Les fiches, histoires et kits pour réunir les acteurs de la solidarité d'un "
        "territoire et ne laisser personne de côté.",
        "The sheets, stories and kits to bring an area's solidarity actors together and "
        "leave nobody out.",
    ),
    # Pages of other apps, found by slug when their demo loaded them.
    "story_slugs": ["josiane-et-les-courses-du-cinquieme"],
    "kit_slugs": ["une-heure-par-mois"],
}

REFERENTS = [
    {
        "name": "Claire Martin",
        "kind": "referent",
        "insee": "77288",
        "region": "11",
        "role": ("Adjointe aux solidarités de Melun", "Deputy mayor for solidarity, Melun"),
        "expertise": (
            "Forums d'acteurs locaux, annuaire intercommunal, animation d'un réseau de bénévoles.",
            "Local actors' forums, intermunicipal directory, running a volunteer network.",
        ),
        "email": "solidarites@melun.example",
        "phone": "01 00 00 00 01",
        "agreed": True,
    },
    {
        "name": "Yann Le Gall",
        "kind": "ambassador",
        "insee": "29019",
        "region": "53",
        "role": (
            "Conseiller municipal délégué à la vie associative de Brest",
            "Councillor for community life, Brest",
        ),
        "expertise": (
            "Réseau d'élus, fiches pratiques, bénévolat des jeunes.",
            "Officials' network, practice sheets, youth volunteering.",
        ),
        "email": "",
        "phone": "",
        "agreed": False,
    },
]

MEETING = {
    "slug": ("rencontre-ile-de-france-2027", "ile-de-france-meeting-2027"),
    "title": (
        "Rencontre des élus solidaires d'Île-de-France",
        "Île-de-France solidarity officials' meeting",
    ),
    "summary": (
        "Une après-midi pour partager ce qui marche : forums d'acteurs, points d'entraide, "
        "annuaire des ressources.",
        "An afternoon to share what works: actors' forums, help points, resource directory.",
    ),
    # Paris time, kept fixed so that a second load changes nothing.
    "start": datetime.datetime(2027, 3, 18, 14, 0),
    "end": datetime.datetime(2027, 3, 18, 17, 30),
    "place": ("Salle des fêtes, Melun", "Community hall, Melun"),
    "address": ("Place de l'Hôtel de Ville, 77000 Melun", "Place de l'Hôtel de Ville, 77000 Melun"),
    "online": True,
    "agenda": (
        "14 h 00 : accueil\n14 h 30 : qui fait quoi sur le territoire ?\n"
        "15 h 30 : ateliers fiches pratiques\n17 h 00 : la suite du réseau",
        "2 pm: welcome\n2.30 pm: who does what in our area?\n"
        "3.30 pm: practice sheet workshops\n5 pm: what next for the network",
    ),
    "capacity": 80,
}
