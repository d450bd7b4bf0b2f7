// Small enhancements on top of htmx. Every page works without them.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // On a phone the pledge list's filters fold behind their button, so that the pledges
  // come first; without JavaScript they stay open.
  // A filter that could not be read keeps them open, with its message in view.
  const filtersFold = document.querySelector(".filters-fold");
  if (filtersFold && !filtersFold.querySelector(".field--error") && !window.matchMedia("(min-width: 60rem)").matches) {
    filtersFold.open = false;
  }

  const announcer = document.getElementById("announcer");
  const requestError = document.getElementById("request-error");

  const announce = (text) => {
    if (!announcer) return;
    announcer.textContent = "";
    // A fresh text node, so that screen readers read it even when it repeats.
    window.setTimeout(() => { announcer.textContent = text; }, 50);
  };

  const showRequestError = (text) => {
    if (!requestError) return;
    requestError.textContent = text;
    requestError.hidden = false;
  };

  // A session that ended meanwhile: the answer is the login page. Go there whole,
  // rather than put it inside the part of the page that asked.
  document.body.addEventListener("htmx:beforeSwap", (event) => {
    const loginUrl = document.body.dataset.loginUrl;
    const answeredBy = event.detail.xhr && event.detail.xhr.responseURL;
    if (loginUrl && answeredBy && new URL(answeredBy).pathname === loginUrl) {
      event.detail.shouldSwap = false;
      window.location.assign(answeredBy);
    }
  });

  document.body.addEventListener("htmx:beforeRequest", () => {
    if (requestError) requestError.hidden = true;
  });

  // A change to the pledge's history: every form on the page is now based on the
  // version the server sent, and the person hears what happened.
  // The keyboard goes to `element`, which need not be a control.
  const focusOn = (element) => {
    if (!element) return;
    if (!element.hasAttribute("tabindex")) element.setAttribute("tabindex", "-1");
    element.focus();
  };

  document.body.addEventListener("pledgeChanged", (event) => {
    const { version, message, noteAt, focus } = event.detail;
    for (const input of document.querySelectorAll('input[name$="based_on_version"]')) {
      input.value = version;
    }
    if (!message) return;
    announce(message);
    // Seen as well as heard: a note beside the form, that fades after a while.
    const place = noteAt && document.querySelector(noteAt);
    if (place) {
      document.querySelectorAll(".saved-note").forEach((old) => old.remove());
      const note = document.createElement("p");
      note.className = "saved-note";
      note.setAttribute("aria-hidden", "true");  // the announcer has said it already
      note.textContent = `✓ ${message}`;
      place.before(note);
      window.setTimeout(() => note.remove(), 8000);
    }
    // Then the keyboard goes to what was just recorded.
    if (focus) focusOn(document.querySelector(focus));
  });

  // What a form done in place did, said aloud (the server triggers "announce").
  document.body.addEventListener("announce", (event) => announce(event.detail.message));

  // Invalid input (422) or an out-of-date form (409): take the keyboard to the problem.
  document.body.addEventListener("htmx:afterSettle", (event) => {
    const status = event.detail.xhr && event.detail.xhr.status;
    if (status !== 422 && status !== 409) return;
    // The first problem on the page: the conflict notice, the list of errors at the top
    // of the form (it holds those that belong to no field), or the first field marked.
    focusOn(document.querySelector(".conflict, .form-errors:not([hidden]), [aria-invalid='true']"));
  });

  document.body.addEventListener("htmx:responseError", (event) => {
    const xhr = event.detail.xhr;
    if (xhr.status === 503) {
      showRequestError("Nothing was saved: someone else is saving to the same record right now. Your entry is still in the form: submit it again in a moment.");
      return;
    }
    const reason = xhr.status === 403 ? "you are not allowed to do this" : `the server answered ${xhr.status}`;
    showRequestError(`Nothing was saved: ${reason}. Reload the page and try again.`);
  });

  document.body.addEventListener("htmx:sendError", () => {
    showRequestError("Nothing was saved: the server could not be reached. Check the connection and try again.");
  });
});
