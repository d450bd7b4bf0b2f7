// The statement page, for those who review proposed pledges: a passage selected in the
// text becomes a link to make a pledge of it. The offsets sent are counted in code
// points, as the server counts them (JavaScript strings count UTF-16 units).
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const text = document.querySelector(".statement-text[data-new-pledge-url]");
  const bar = document.querySelector(".selection-bar");
  if (!text || !bar) return;
  const link = bar.querySelector("a");
  const size = bar.querySelector(".selection-size");
  const codePoints = (s) => Array.from(s).length;

  // Characters of the text before the boundary (node, offset): none when the boundary
  // lies before the text, all of them when it lies after it.
  const offsetOf = (node, offset) => {
    const whole = document.createRange();
    whole.selectNodeContents(text);
    const where = whole.comparePoint(node, offset);
    if (where < 0) return 0;
    if (where > 0) return codePoints(text.textContent);
    const before = document.createRange();
    before.setStart(text, 0);
    before.setEnd(node, offset);
    return codePoints(before.toString());
  };

  const update = () => {
    const selection = document.getSelection();
    if (!selection || selection.isCollapsed || selection.rangeCount === 0) {
      bar.hidden = true;
      return;
    }
    const range = selection.getRangeAt(0);
    if (!range.intersectsNode(text)) {
      bar.hidden = true;
      return;
    }
    const start = offsetOf(range.startContainer, range.startOffset);
    const end = offsetOf(range.endContainer, range.endOffset);
    const words = Array.from(text.textContent).slice(start, end).join("").trim();
    if (!words) {
      bar.hidden = true;
      return;
    }
    const url = new URL(text.dataset.newPledgeUrl, window.location.href);
    url.searchParams.set("start", start);
    url.searchParams.set("end", end);
    link.href = url.pathname + url.search;
    const count = words.split(/\s+/).length;
    size.textContent = `${count} word${count === 1 ? "" : "s"} selected`;
    bar.hidden = false;
  };

  // Selecting words inside a marked pledge ends with a click on its link: that click
  // finishes the selection, it does not open the pledge.
  text.addEventListener("click", (event) => {
    const selection = document.getSelection();
    if (event.target.closest(".pledge-mark") && selection && !selection.isCollapsed) {
      event.preventDefault();
    }
  });

  let pending = 0;
  document.addEventListener("selectionchange", () => {
    window.clearTimeout(pending);
    pending = window.setTimeout(update, 120);
  });

  // After a proposal is rejected in place, its row is gone: the keyboard goes back to
  // the top of the list.
  document.body.addEventListener("proposalRejected", () => {
    const heading = document.getElementById("proposals-heading");
    if (heading) heading.focus();
  });
});
