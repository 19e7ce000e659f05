// The development explorer at GET /graphql (a browser): GraphiQL from node_modules, its
// requests sent to this gateway with the token field's value as `Authorization: Bearer`.
// The headers tab adds others (e.g. x-credithub-purpose for an unmasked read).
(function () {
  'use strict';
  var tokenInput = document.getElementById('token');
  var tokenState = document.getElementById('token-state');
  // Kept for this tab only: a token is a credential.
  tokenInput.value = sessionStorage.getItem('credithub-explorer-token') || '';
  function showTokenState() {
    tokenState.textContent = tokenInput.value.trim() ? 'with token' : 'public';
  }
  tokenInput.addEventListener('input', function () {
    sessionStorage.setItem('credithub-explorer-token', tokenInput.value.trim());
    showTokenState();
  });
  document.getElementById('token-bar').addEventListener('submit', function (event) { event.preventDefault(); });
  showTokenState();

  function fetcher(params, options) {
    var headers = Object.assign({ 'content-type': 'application/json', accept: 'application/json' }, (options && options.headers) || {});
    var token = tokenInput.value.trim();
    if (token) headers.authorization = 'Bearer ' + token;
    return fetch(window.location.pathname, { method: 'POST', headers: headers, body: JSON.stringify(params) }).then(function (response) {
      return response.json();
    });
  }

  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(React.createElement(GraphiQL, {
    fetcher: fetcher,
    defaultEditorToolsVisibility: true,
    defaultQuery: '# CreditHub (development only: this page is off in production).\n# Put a token above, then run a query with Ctrl-Enter.\n{\n  taxEntries(first: 3) {\n    totalCount\n    edges { node { listName creditCode subjectName } }\n  }\n}\n',
  }));
})();
