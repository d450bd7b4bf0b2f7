// The pledge page: bring the highlighted quote into view inside the statement text.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const quote = document.getElementById("quote");
  const text = quote && quote.closest(".statement-text");
  if (text) text.scrollTop = Math.max(0, quote.offsetTop - text.clientHeight / 3);
});
