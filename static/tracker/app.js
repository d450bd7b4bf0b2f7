// Small enhancements on top of htmx. Every page works without them.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
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
  document.body.addEventListener("pledgeChanged", (event) => {
    const { version, message } = event.detail;
    for (const input of document.querySelectorAll('input[name$="based_on_version"]')) {
      input.value = version;
    }
    if (message) announce(message);
  });

  // What a form done in place did, said aloud (the server triggers "announce").
  document.body.addEventListener("announce", (event) => announce(event.detail.message));

  // Invalid input (422) or an out-of-date form (409): take the keyboard to the problem.
  document.body.addEventListener("htmx:afterSettle", (event) => {
    const status = event.detail.xhr && event.detail.xhr.status;
    if (status !== 422 && status !== 409) return;
    const problem = document.querySelector(".conflict, [aria-invalid='true']");
    if (problem) problem.focus();
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
