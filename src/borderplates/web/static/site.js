// The booth's keys, and forms that submit once. No inline script: the pages' policy allows this file only.
"use strict";

document.addEventListener("keydown", (event) => {
  const target = { F8: "record", F9: "issue-link" }[event.key];
  if (!target) {
    return;
  }
  const control = document.getElementById(target);
  if (control) {
    event.preventDefault();
    control.click();
  }
});

// On a camera read's screen, a digit picks the candidate of that number (unless one is typing the plate).
document.addEventListener("keydown", (event) => {
  const typing = event.target instanceof HTMLInputElement || event.target instanceof HTMLSelectElement;
  if (typing || event.ctrlKey || event.altKey || event.metaKey || !/^[1-9]$/.test(event.key)) {
    return;
  }
  const pick = document.getElementById(`pick-${event.key}`);
  if (pick) {
    event.preventDefault();
    pick.click();
  }
});

// After an answer or a recorded crossing arrives, the plate is selected: the next plate typed replaces it.
document.addEventListener("htmx:afterSwap", (event) => {
  const plate = document.getElementById("plate");
  if (plate && event.detail.target.id === "answer") {
    plate.focus();
    plate.select();
  }
});

// The booth drawn whole (a plate in the address, or F8 pressed before htmx took the new answer's form over) selects its plate the same way.
document.addEventListener("DOMContentLoaded", () => {
  const plate = document.getElementById("plate");
  if (plate && plate.autofocus && plate.value) {
    plate.focus();
    plate.select();
  }
});

// A form marked data-once is sent once: its submit buttons are disabled as it goes (its request key makes a repeat harmless anyway).
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !("once" in form.dataset)) {
    return;
  }
  if (form.dataset.sent === "yes") {
    event.preventDefault();
    return;
  }
  form.dataset.sent = "yes";
  for (const button of form.querySelectorAll("button[type=submit]")) {
    button.setAttribute("aria-disabled", "true");
  }
}, true);

// htmx replaces the record form with the answer; a form it sends must be sendable again if the answer was a problem.
document.addEventListener("htmx:afterRequest", (event) => {
  const form = event.detail.elt;
  if (form instanceof HTMLFormElement && !event.detail.successful) {
    delete form.dataset.sent;
  }
});

// A language link keeps what htmx put in the address since the page was drawn (the plate just checked).
document.addEventListener("click", (event) => {
  const link = event.target instanceof Element ? event.target.closest(".languages a[hreflang]") : null;
  if (link) {
    const here = new URL(window.location.href);
    here.searchParams.set("lang", link.getAttribute("hreflang"));
    link.setAttribute("href", here.pathname + here.search);
  }
});
