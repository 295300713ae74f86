/* claimledger editor: send the checked candidates to the desk, and refresh the box after a block-editor save. */
(function () {
  'use strict';

  function box() {
    return document.querySelector('.claimledger-box');
  }

  function replace(html) {
    var current = box();
    if (current) {
      current.outerHTML = html;
    }
  }

  function refresh() {
    var current = box();
    if (!current) {
      return;
    }
    wp.apiFetch({ path: '/claimledger/v1/posts/' + current.dataset.post }).then(function (state) {
      replace(state.meta_box);
    });
  }

  document.addEventListener('click', function (event) {
    if (!event.target.classList.contains('claimledger-send')) {
      return;
    }
    var current = box();
    var chosen = Array.prototype.map.call(
      current.querySelectorAll('input[name="claimledger_candidate[]"]:checked'),
      function (input) { return parseInt(input.value, 10); }
    );
    if (!chosen.length) {
      return;
    }
    event.target.disabled = true;
    wp.apiFetch({
      path: '/claimledger/v1/posts/' + current.dataset.post + '/send',
      method: 'POST',
      data: { candidates: chosen }
    }).then(function (answer) {
      replace(answer.meta_box);
    }, function (error) {
      event.target.disabled = false;
      window.alert('claimledger: ' + (error.message || 'sending failed'));
    });
  });

  if (window.wp && wp.data && wp.data.subscribe) {
    var saving = false;
    wp.data.subscribe(function () {
      var editor = wp.data.select('core/editor');
      if (!editor) {
        return;
      }
      var now = editor.isSavingPost() && !editor.isAutosavingPost();
      if (saving && !now) {
        refresh();
      }
      saving = now;
    });
  }
})();
