/* The admin's promoted search results (wagtail.contrib.search_promotions), add and edit
   screens: what Wagtail writes there as an inline script, which the Content-Security-Policy
   blocks (templates/wagtailsearchpromotions/add.html, edit.html). The values come from the
   script element's data attributes. Needs Wagtail's InlinePanel and ModalWorkflow, and
   QUERY_CHOOSER_MODAL_ONLOAD_HANDLERS (query-chooser-modal.js, loaded just before). */
/* global $, InlinePanel, ModalWorkflow, QUERY_CHOOSER_MODAL_ONLOAD_HANDLERS */
(function () {
  'use strict';
  var data = document.currentScript.dataset;

  function createQueryChooser(id) {
    var chooserElement = $('#' + id + '-chooser');
    var input = $('#' + id);
    chooserElement.on('click', function () {
      ModalWorkflow({
        url: data.chooserUrl,
        onload: QUERY_CHOOSER_MODAL_ONLOAD_HANDLERS,
        responses: {
          queryChosen: function (queryData) {
            input.val(queryData.querystring);
          },
        },
      });
    });
  }

  $(function () {
    new InlinePanel({
      formsetPrefix: data.formsetPrefix,
      emptyChildFormPrefix: data.emptyChildFormPrefix,
      canOrder: true,
    });
    createQueryChooser(data.queryId);
  });
})();
