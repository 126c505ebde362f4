// The dismiss form takes the ticked entries of the list (a file, not an inline script: the
// Content-Security-Policy allows none).
(function () {
  'use strict';
  var form = document.getElementById('dismiss-form');
  if (!form) return;
  form.addEventListener('formdata', function (ev) {
    document.querySelectorAll('#entries-form input[name=id]:checked').forEach(function (box) {
      ev.formData.append('id', box.value);
    });
  });
})();
