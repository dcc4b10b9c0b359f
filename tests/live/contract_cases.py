"""The HTTP contract of sample_apps/README.md as data: (method, path, status, body).

``{lang}`` in a body stands for the app's language. Every image of every language must give
exactly these bytes.
"""

CASES = [
    ("GET", "/", 200, '{"service":"size-drop","language":"{lang}"}\n'),
    ("GET", "/?x=1", 200, '{"service":"size-drop","language":"{lang}"}\n'),
    ("GET", "/healthz", 200, '{"status":"ok"}\n'),
    ("GET", "/primes?n=30", 200, '{"n":30,"count":10,"largest":29}\n'),
    ("GET", "/primes?n=1", 200, '{"n":1,"count":0,"largest":null}\n'),
    ("GET", "/primes?n=0", 200, '{"n":0,"count":0,"largest":null}\n'),
    ("GET", "/primes?n=2", 200, '{"n":2,"count":1,"largest":2}\n'),
    ("GET", "/primes?n=007", 200, '{"n":7,"count":4,"largest":7}\n'),
    ("GET", "/primes?n=%31%30", 200, '{"n":10,"count":4,"largest":7}\n'),
    ("GET", "/primes?n=10&n=abc", 200, '{"n":10,"count":4,"largest":7}\n'),
    ("GET", "/primes?x=y&n=100", 200, '{"n":100,"count":25,"largest":97}\n'),
    ("GET", "/primes?n=1000000", 200, '{"n":1000000,"count":78498,"largest":999983}\n'),
    ("GET", "/primes", 400, '{"error":"missing query parameter n"}\n'),
    ("GET", "/primes?n=", 400, '{"error":"missing query parameter n"}\n'),
    ("GET", "/primes?n=-5", 400, '{"error":"n must not be negative"}\n'),
    ("GET", "/primes?n=-0", 400, '{"error":"n must not be negative"}\n'),
    ("GET", "/primes?n=-abc", 400, '{"error":"n must be an integer"}\n'),
    ("GET", "/primes?n=abc", 400, '{"error":"n must be an integer"}\n'),
    ("GET", "/primes?n=+5", 400, '{"error":"n must be an integer"}\n'),
    ("GET", "/primes?n=1.5", 400, '{"error":"n must be an integer"}\n'),
    ("GET", "/primes?n=1e3", 400, '{"error":"n must be an integer"}\n'),
    ("GET", "/primes?n=%20" + "5", 400, '{"error":"n must be an integer"}\n'),
    ("GET", "/primes?n=1000001", 400, '{"error":"n must be at most 1000000"}\n'),
    ("GET", "/primes?n=99999999999999999999999", 400, '{"error":"n must be at most 1000000"}\n'),
    ("GET", "/nope", 404, '{"error":"not found"}\n'),
    ("GET", "/healthz/", 404, '{"error":"not found"}\n'),
    ("GET", "/primes/", 404, '{"error":"not found"}\n'),
    ("POST", "/nope", 404, '{"error":"not found"}\n'),
    ("POST", "/primes?n=5", 405, '{"error":"method not allowed"}\n'),
    ("DELETE", "/", 405, '{"error":"method not allowed"}\n'),
    ("PUT", "/healthz", 405, '{"error":"method not allowed"}\n'),
]
