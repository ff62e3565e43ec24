// Sign-up: default the patient's time zone to the browser's, so reminders and
// "today" follow their clock without asking. Without JS the server keeps UTC.
(function () {
  var field = document.querySelector('input[name="timezone"]');
  if (!field || field.value && field.value !== "UTC") return;
  try {
    field.value = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch (e) { /* very old browser: keep UTC */ }
})();
