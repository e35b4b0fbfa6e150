// Wharf UI enhancements; every page works without this file. Copy buttons copy the command or
// token of their box; forms with data-confirm ask before they submit.
'use strict';
document.addEventListener('DOMContentLoaded', function () {
  document.querySelectorAll('button.copy[data-copy-target]').forEach(function (button) {
    var target = document.getElementById(button.getAttribute('data-copy-target'));
    if (!target) return;
    button.hidden = false;
    button.addEventListener('click', function () {
      var done = function () {
        button.textContent = 'Copied';
        button.setAttribute('aria-live', 'polite');
        setTimeout(function () { button.textContent = 'Copy'; }, 2000);
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(target.value).then(done, function () { target.select(); document.execCommand('copy'); done(); });
      } else {
        target.select();
        document.execCommand('copy');
        done();
      }
    });
  });
  document.querySelectorAll('form[data-confirm]').forEach(function (form) {
    form.addEventListener('submit', function (event) {
      if (!window.confirm(form.getAttribute('data-confirm'))) event.preventDefault();
    });
  });
  document.querySelectorAll('input.code[readonly]').forEach(function (input) {
    input.addEventListener('focus', function () { input.select(); });
  });
});
