// Directory filters: leave empty filters out of HTMX requests, so pushed URLs stay short and shareable.
document.addEventListener("htmx:configRequest", function (event) {
  var form = event.detail.elt;
  if (!form || !form.matches || !form.matches("form.directory-filters")) { return; }
  var parameters = event.detail.parameters;
  var names = parameters instanceof FormData ? Array.from(parameters.keys()) : Object.keys(parameters);
  names.forEach(function (name) {
    var value = parameters instanceof FormData ? parameters.get(name) : parameters[name];
    if (value === "" || (name === "sort" && value === "name")) {
      if (parameters instanceof FormData) { parameters.delete(name); } else { delete parameters[name]; }
    }
  });
});
