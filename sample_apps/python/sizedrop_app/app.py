"""The Flask application: three GET routes and JSON for every answer, errors included."""

import json
from urllib.parse import unquote_to_bytes

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound

from sizedrop_app.primes import BadN, count_primes, parse_n

LANGUAGE = "python"


def json_response(body, status=200, headers=None):
    """Compact JSON, keys in insertion order, one trailing newline: byte-identical to Go and Java.

    flask.jsonify is not used because its separators and key sorting are app settings that
    could drift; json.dumps with explicit separators always writes the same bytes.
    """
    text = json.dumps(body, separators=(",", ":")) + "\n"
    # mimetype (not content_type) so werkzeug writes exactly "application/json", no charset.
    return Response(text, status=status, headers=headers, mimetype="application/json")


def route_by_raw_target(wsgi_app):
    """WSGI middleware: set PATH_INFO and QUERY_STRING from the request-target as it arrived.

    The contract reads every target the same way in the three apps: the path is everything
    before the first "?", percent-decoded exactly once ("%XX" is the byte XX, a "%" without two
    hex digits stays a literal "%", "+" stays "+"), and the query is everything after it, "#"
    included. gunicorn would derive PATH_INFO with urllib's URL splitting instead, which drops a
    "#fragment" and takes the path out of "http://host/path"; so the raw target gunicorn passes
    as RAW_URI (Flask's test client sets it too) is read again here. Without RAW_URI the
    server's own PATH_INFO is kept.
    """

    def middleware(environ, start_response):
        raw = environ.get("RAW_URI")
        if raw is not None:
            path, _, query = raw.partition("?")
            # WSGI strings carry bytes as latin-1 characters; unquote_to_bytes keeps broken escapes.
            environ["PATH_INFO"] = unquote_to_bytes(path).decode("latin-1")
            environ["QUERY_STRING"] = query
        return wsgi_app(environ, start_response)

    return middleware


def require_host(wsgi_app):
    """WSGI middleware: refuse an HTTP/1.1 request without a Host field, as RFC 9112 requires.

    gunicorn refuses two Host fields but lets a missing one through; the Go and Java servers
    refuse it, so the app does here, with the same answer as any other malformed request.
    HTTP/1.0 requests need no Host.
    """

    def middleware(environ, start_response):
        if environ.get("SERVER_PROTOCOL") != "HTTP/1.0" and "HTTP_HOST" not in environ:
            return json_response({"error": "bad request"}, status=400)(environ, start_response)
        return wsgi_app(environ, start_response)

    return middleware


def create_app():
    # static_folder=None: no /static/<path> route, so every path but the three below is a 404.
    app = Flask(__name__, static_folder=None)
    # No redirects: werkzeug would answer "/healthz//" with a 308 to "/healthz/". (The exact
    # path check below turns such paths into 404s anyway; this keeps the router from trying.)
    # It must be set before the first route is added.
    app.url_map.merge_slashes = False

    @app.before_request
    def exact_path_and_get_only():
        # Runs after URL matching, before a routing error (404/405) is raised and before the
        # view. It closes two gaps werkzeug and Flask would otherwise leave:
        # 1. werkzeug strips extra leading slashes before matching, so "//healthz" would be
        #    served as "/healthz". The contract only knows the exact paths: 404, any method.
        #    (PATH_INFO is the decoded path of the raw target: see route_by_raw_target.)
        if request.environ.get("PATH_INFO") not in known_paths:
            return not_found(None)
        # 2. Flask registers HEAD and OPTIONS next to every GET route and answers them itself;
        #    the contract treats them like any other method that is not GET. (Other methods
        #    never match a route: their routing error becomes the 405 handler's answer.)
        if request.routing_exception is None and request.method != "GET":
            return method_not_allowed(None)
        return None

    @app.get("/")
    def index():
        return json_response({"service": "size-drop", "language": LANGUAGE})

    @app.get("/healthz")
    def healthz():
        return json_response({"status": "ok"})

    @app.get("/primes")
    def primes():
        # request.args is the percent-decoded query string ("+" becomes a space);
        # .get returns the first value when n is repeated.
        try:
            n = parse_n(request.args.get("n"))
        except BadN as error:
            return json_response({"error": str(error)}, status=400)
        count, largest = count_primes(n)
        return json_response({"n": n, "count": count, "largest": largest})

    @app.errorhandler(NotFound)
    def not_found(_error):
        return json_response({"error": "not found"}, status=404)

    @app.errorhandler(MethodNotAllowed)
    def method_not_allowed(_error):
        # Not the Allow list werkzeug computed (it would add HEAD and OPTIONS): only GET is served.
        return json_response({"error": "method not allowed"}, status=405, headers={"Allow": "GET"})

    @app.errorhandler(HTTPException)
    def other_http_error(error):
        # Anything else werkzeug may raise (a malformed request, say) still answers in JSON.
        return json_response({"error": error.name.lower()}, status=error.code)

    @app.errorhandler(Exception)
    def internal_error(_error):
        # A bug, not a client error: no input is supposed to get here. Flask has logged it;
        # the client gets the same JSON 500 as from the Go and Java safety nets.
        return json_response({"error": "internal error"}, status=500)

    # The exact paths the before_request hook accepts ("/", "/healthz", "/primes"), collected
    # once every route exists; the hook reads this name only when requests arrive.
    known_paths = frozenset(rule.rule for rule in app.url_map.iter_rules())
    app.wsgi_app = require_host(route_by_raw_target(app.wsgi_app))
    return app
