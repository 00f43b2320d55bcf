// GraphiQL on this server's /graphql, from the files this server ships (no CDN).
(function () {
  "use strict";
  var url = window.location.href.split("?")[0].split("#")[0];
  var fetcher = GraphiQL.createFetcher({ url: url });
  var example = [
    "# Which products are blocked if CoWoS-L capacity halves and SK hynix HBM3E stops?",
    "{",
    '  impact(shortages: [{id: "cowos-l", availability: 0.5}, {id: "SK hynix HBM3E", availability: 0}], first: 10) {',
    "    totalCount",
    "    summary { blocked constrained ok }",
    "    edges { node { entity { name } status availability chain } }",
    "  }",
    "}",
    "",
  ].join("\n");
  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(React.createElement(GraphiQL, { fetcher: fetcher, defaultQuery: example }));
})();
