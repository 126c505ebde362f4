// The new-source form shows the settings of the chosen kind only.
(function () {
  'use strict';
  var kind = document.getElementById('kind');
  if (!kind) return;
  function show() {
    document.querySelectorAll('fieldset[data-kind]').forEach(function (fs) {
      var on = fs.dataset.kind.split(' ').indexOf(kind.value) >= 0;
      fs.hidden = !on;
      fs.querySelectorAll('input, select, textarea').forEach(function (i) { i.disabled = !on; });
    });
  }
  kind.addEventListener('change', show);
  show();
})();
