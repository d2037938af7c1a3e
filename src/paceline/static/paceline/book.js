// Keep a shared book URL short: filters left empty are dropped before HTMX sends the form.
document.addEventListener("htmx:configRequest", function (event) {
  if (!event.detail.elt || event.detail.elt.id !== "book-filters") return;
  var data = event.detail.formData;
  Array.from(new Set(data.keys())).forEach(function (name) {
    if (data.getAll(name).every(function (value) { return value === ""; })) data.delete(name);
  });
});
