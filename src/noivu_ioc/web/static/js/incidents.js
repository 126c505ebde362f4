// The forms of the incident pages talk to the JSON API: a form with data-api is sent as JSON
// (or as multipart when it carries a file), and the page reloads on success or shows the
// server's message, which names what was wrong, next to the form.
//   data-method     HTTP method (POST by default)
//   data-next       where to go on success: a URL with {id} (the created object's id), or
//                   #anchor to reload this page at that place; empty: reload
//   data-failed     what to say when the server cannot be reached
// Fields: data-type="int" sends a number (left out when empty), data-type="list" splits
// on commas, data-optional leaves an empty field out; a checkbox sends true or false.
(function () {
  'use strict';

  function bodyOf(form) {
    var body = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.disabled) return;
      var value = el.value;
      if (el.type === 'checkbox') body[el.name] = el.checked;
      else if (el.dataset.type === 'int') { if (value !== '') body[el.name] = parseInt(value, 10); }
      else if (el.dataset.type === 'list') body[el.name] = value.split(/[,;\s]+/).filter(Boolean);
      else if (!(el.hasAttribute('data-optional') && value.trim() === '')) body[el.name] = value;
    });
    return body;
  }

  function done(form, data) {
    var next = form.dataset.next || '';
    if (next.charAt(0) === '#') {
      location.hash = next;
      location.reload();
    } else if (next) {
      location.assign(next.replace('{id}', data && data.id));
    } else {
      location.reload();
    }
  }

  async function send(form) {
    var out = form.querySelector('.form-error');
    var button = form.querySelector('button[type=submit]');
    // A multipart body (attachments) needs the CSRF token; JSON gets it too, harmlessly.
    var init = { method: form.dataset.method || 'POST', credentials: 'same-origin',
                 headers: window.iocCsrf.headers({ Accept: 'application/json' }) };
    if (form.enctype === 'multipart/form-data') {
      init.body = new FormData(form);
    } else {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(bodyOf(form));
    }
    if (out) out.textContent = '';
    if (button) button.disabled = true;
    try {
      var response = await fetch(form.dataset.api, init);
      var data = await response.json().catch(function () { return null; });
      if (!response.ok) {
        if (out) out.textContent = (data && data.error && data.error.message) || form.dataset.failed;
        return;
      }
      done(form, data);
    } catch (err) {
      if (out) out.textContent = form.dataset.failed || String(err);
    } finally {
      if (button) button.disabled = false;
    }
  }

  document.addEventListener('submit', function (ev) {
    var form = ev.target;
    if (!(form instanceof HTMLFormElement) || !form.dataset.api) return;
    ev.preventDefault();
    send(form);
  });
})();
