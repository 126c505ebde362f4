// Process pages follow the live stream: when an event about the runs shown arrives (a step
// done, a run started or finished, a step gone late) the page reloads, unless the user is
// writing a note, which a reload would lose.
(function () {
  'use strict';
  var watched = document.querySelector('[data-live]');
  if (!watched || !window.EventSource) return;
  // "process:" on the list (every run), "process:12" on a run's page (that run only).
  var prefix = watched.getAttribute('data-live');
  var whole = prefix.slice(-1) === ':';
  // What the stream replays on connecting is on the page already.
  var after = parseInt(watched.getAttribute('data-after') || '0', 10);

  function concerns(subject) {
    if (typeof subject !== 'string') return false;
    if (whole) return subject.indexOf(prefix) === 0;
    return subject === prefix || subject.indexOf(prefix + '/') === 0;
  }

  function writing() {
    var fields = document.querySelectorAll('textarea, input[type=text], input:not([type])');
    for (var i = 0; i < fields.length; i++) {
      if (fields[i] === document.activeElement || fields[i].value) return true;
    }
    return false;
  }

  var source = new EventSource('/api/live');
  source.addEventListener('alert', function (ev) {
    var message;
    try { message = JSON.parse(ev.data); } catch (e) { return; }
    if (message.id > after && concerns(message.subject) && !writing()) window.location.reload();
  });
  window.addEventListener('pagehide', function () { source.close(); });
})();
