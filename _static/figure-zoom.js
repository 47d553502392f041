// Every figure of the book opens at full size in a new tab when clicked or tapped: on a phone the
// figures are scaled down to the column, and this is how their labels become readable.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("article figure img, article .cell_output img").forEach((img) => {
    if (img.closest("a") || !img.getAttribute("src")) return;
    const link = document.createElement("a");
    link.href = img.getAttribute("src");
    link.target = "_blank";
    link.rel = "noopener";
    link.className = "figure-zoom";
    link.title = "Open the figure at full size";
    img.replaceWith(link);
    link.appendChild(img);
  });
});
