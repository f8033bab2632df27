// Pages work without this script; it only adds what a browser cannot do from HTML alone.
// A print button prints the page (the receipt, a new check code, a notice).
document.querySelectorAll("[data-print]").forEach((button) => {
  button.addEventListener("click", () => window.print());
});
