// Buttons marked data-print open the browser's print dialog (inline handlers are refused by the CSP).
document.querySelectorAll("[data-print]").forEach((b) => b.addEventListener("click", () => window.print()));
