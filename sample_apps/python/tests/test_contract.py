"""The HTTP contract of sample_apps/README.md, row by row, through Flask's test client.

Standard library unittest only: the tests run inside `docker build`, where nothing can be
downloaded, so they may use only what requirements.txt already installed.
"""

import unittest

from sizedrop_app import create_app


class ContractTestCase(unittest.TestCase):
    def setUp(self):
        self.client = create_app().test_client()

    def assertJson(self, response, status, body):
        """Status, exact Content-Type and the body byte for byte (compact, ordered, newline)."""
        self.assertEqual(response.status_code, status)
        self.assertEqual(response.headers["Content-Type"], "application/json")
        self.assertEqual(response.get_data(), body)

    def get(self, url):
        return self.client.get(url)


class TestFixedRoutes(ContractTestCase):
    def test_index(self):
        self.assertJson(self.get("/"), 200, b'{"service":"size-drop","language":"python"}\n')

    def test_healthz(self):
        self.assertJson(self.get("/healthz"), 200, b'{"status":"ok"}\n')

    def test_query_string_is_ignored_on_fixed_routes(self):
        self.assertJson(self.get("/?n=abc"), 200, b'{"service":"size-drop","language":"python"}\n')
        self.assertJson(self.get("/healthz?x=1&n=-1"), 200, b'{"status":"ok"}\n')


class TestPrimesOk(ContractTestCase):
    def assertPrimes(self, query, body):
        self.assertJson(self.get("/primes?" + query), 200, body)

    def test_contract_example_30(self):
        self.assertPrimes("n=30", b'{"n":30,"count":10,"largest":29}\n')

    def test_zero_one_and_two(self):
        self.assertPrimes("n=0", b'{"n":0,"count":0,"largest":null}\n')
        self.assertPrimes("n=1", b'{"n":1,"count":0,"largest":null}\n')
        self.assertPrimes("n=2", b'{"n":2,"count":1,"largest":2}\n')
        self.assertPrimes("n=3", b'{"n":3,"count":2,"largest":3}\n')

    def test_upper_bound_is_accepted(self):
        self.assertPrimes("n=1000000", b'{"n":1000000,"count":78498,"largest":999983}\n')

    def test_small_values_against_trial_division(self):
        def is_prime(k):
            return k >= 2 and all(k % d for d in range(2, int(k**0.5) + 1))

        for n in range(0, 200):
            found = [k for k in range(n + 1) if is_prime(k)]
            largest = str(found[-1]) if found else "null"
            expected = f'{{"n":{n},"count":{len(found)},"largest":{largest}}}\n'.encode()
            with self.subTest(n=n):
                self.assertPrimes(f"n={n}", expected)

    def test_leading_zeros(self):
        self.assertPrimes("n=007", b'{"n":7,"count":4,"largest":7}\n')
        self.assertPrimes("n=0001000000", b'{"n":1000000,"count":78498,"largest":999983}\n')
        # Twenty zeros is still just 0: length only matters after the zeros are dropped.
        self.assertPrimes("n=" + "0" * 20, b'{"n":0,"count":0,"largest":null}\n')
        self.assertPrimes("n=" + "0" * 30 + "30", b'{"n":30,"count":10,"largest":29}\n')

    def test_percent_encoded_digits(self):
        self.assertPrimes("n=%33%30", b'{"n":30,"count":10,"largest":29}\n')
        self.assertPrimes("%6E=30", b'{"n":30,"count":10,"largest":29}\n')

    def test_first_n_wins(self):
        self.assertPrimes("n=30&n=abc", b'{"n":30,"count":10,"largest":29}\n')
        self.assertPrimes("n=30&n=2000000", b'{"n":30,"count":10,"largest":29}\n')

    def test_other_parameters_are_ignored(self):
        self.assertPrimes("x=1&n=30&y=abc", b'{"n":30,"count":10,"largest":29}\n')


class TestPrimesErrors(ContractTestCase):
    MISSING = b'{"error":"missing query parameter n"}\n'
    NEGATIVE = b'{"error":"n must not be negative"}\n'
    NOT_INTEGER = b'{"error":"n must be an integer"}\n'
    TOO_BIG = b'{"error":"n must be at most 1000000"}\n'

    def assertRejected(self, query, body):
        url = "/primes" + query
        with self.subTest(url=url):
            self.assertJson(self.get(url), 400, body)

    def test_missing(self):
        for query in ("", "?", "?n", "?n=", "?x=5", "?N=5", "?n=&n=5"):
            self.assertRejected(query, self.MISSING)

    def test_negative(self):
        for value in ("-5", "-0", "-000", "-1000001", "-" + "9" * 20, "%2D5"):
            self.assertRejected("?n=" + value, self.NEGATIVE)

    def test_not_an_integer(self):
        values = (
            "abc", "-abc", "-", "--5", "-+5", "- 5", "-5a",
            "+5",  # "+" decodes to a space
            "%2B5", "%205", "5%20", "%20", "5a", "5_0", "5.0", "1e3", "0x1F", "3,0",
            "%EF%BC%95",  # FULLWIDTH DIGIT FIVE: a digit to str.isdigit, not ASCII
            "%D9%A5",  # ARABIC-INDIC DIGIT FIVE
            "%C2%B2",  # SUPERSCRIPT TWO
            "%FF",  # not UTF-8 at all
            "5%00", "5%0A", "%0A5",
            "1" * 20 + "x",
        )
        for value in values:
            self.assertRejected("?n=" + value, self.NOT_INTEGER)

    def test_too_big(self):
        values = (
            "1000001", "9999999", "10000000",
            "12345678901234567890",  # 20 digits: would overflow a 64-bit integer
            "99999999999999999999", "9" * 5000, "0" * 5000 + "1000001",
        )
        for value in values:
            self.assertRejected("?n=" + value, self.TOO_BIG)


class TestRouting(ContractTestCase):
    NOT_FOUND = b'{"error":"not found"}\n'
    NOT_ALLOWED = b'{"error":"method not allowed"}\n'
    KNOWN = ("/", "/healthz", "/primes", "/primes?n=30")

    def test_unknown_paths(self):
        paths = (
            "/nope", "/healthz/", "/primes/", "/healthz//", "/HEALTHZ", "/x//y",
            "/static/app.js", "/index.html", "/primes/30", "/nope?n=5",
        )
        for path in paths:
            with self.subTest(path=path):
                self.assertJson(self.get(path), 404, self.NOT_FOUND)

    def open_raw(self, target, method="GET"):
        """Request a target exactly as typed: the app routes by RAW_URI, as gunicorn passes it.

        (The test client would read "//healthz" as a host name, and re-quote other targets.)
        """
        return self.client.open("/", method=method, environ_overrides={"RAW_URI": target})

    def test_extra_leading_slashes(self):
        for path in ("//", "//healthz", "///primes", "//primes"):
            for method in ("GET", "POST"):
                with self.subTest(path=path, method=method):
                    self.assertJson(self.open_raw(path, method), 404, self.NOT_FOUND)

    def test_path_is_percent_decoded_once(self):
        ok = b'{"status":"ok"}\n'
        self.assertJson(self.open_raw("/%68ealthz"), 200, ok)
        self.assertJson(self.open_raw("/%68%65%61%6C%74%68%7a"), 200, ok)
        self.assertJson(self.open_raw("/%70rimes?n=10"), 200, b'{"n":10,"count":4,"largest":7}\n')
        self.assertJson(self.open_raw("/%68ealthz", "POST"), 405, self.NOT_ALLOWED)
        for target in ("/%2568ealthz", "/%2F", "/healthz%2F", "/healthz+"):
            with self.subTest(target=target):
                self.assertJson(self.open_raw(target), 404, self.NOT_FOUND)

    def test_broken_escapes_stay_literal(self):
        for target in ("/nope%zz", "/healthz%", "/healthz%7", "/%"):
            with self.subTest(target=target):
                self.assertJson(self.open_raw(target), 404, self.NOT_FOUND)
        self.assertJson(self.open_raw("/primes?n=%zz"), 400, b'{"error":"n must be an integer"}\n')

    def test_other_target_forms_name_no_path(self):
        for method, target in (("OPTIONS", "*"), ("GET", "http://localhost/healthz"),
                               ("CONNECT", "localhost:443"), ("GET", "/healthz#top")):
            with self.subTest(target=target):
                self.assertJson(self.open_raw(target, method), 404, self.NOT_FOUND)
        self.assertJson(self.open_raw("/healthz", "CONNECT"), 405, self.NOT_ALLOWED)
        # "#" is not special: it belongs to the query, so n is "5#top".
        self.assertJson(self.open_raw("/primes?n=5#top"), 400, b'{"error":"n must be an integer"}\n')

    def test_head_on_a_doubled_slash(self):
        response = self.open_raw("//healthz", "HEAD")
        self.assertEqual(response.status_code, 404)
        self.assertEqual(response.get_data(), b"")

    def test_unknown_paths_are_404_whatever_the_method(self):
        for method in ("POST", "PUT", "DELETE", "PATCH", "OPTIONS"):
            with self.subTest(method=method):
                response = self.client.open("/nope", method=method)
                self.assertJson(response, 404, self.NOT_FOUND)
                self.assertNotIn("Allow", response.headers)
        response = self.client.head("/nope")
        self.assertEqual(response.status_code, 404)

    def test_other_methods_on_known_paths(self):
        for path in self.KNOWN:
            for method in ("POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "BREW"):
                with self.subTest(path=path, method=method):
                    response = self.client.open(path, method=method)
                    self.assertJson(response, 405, self.NOT_ALLOWED)
                    self.assertEqual(response.headers["Allow"], "GET")

    def test_head_is_not_get(self):
        for path in self.KNOWN:
            with self.subTest(path=path):
                response = self.client.head(path)
                self.assertEqual(response.status_code, 405)
                self.assertEqual(response.headers["Allow"], "GET")
                self.assertEqual(response.headers["Content-Type"], "application/json")
                self.assertEqual(response.get_data(), b"")  # HEAD responses carry no body

    def test_post_with_a_body_is_still_405(self):
        response = self.client.post("/primes?n=30", data=b"n=30")
        self.assertJson(response, 405, self.NOT_ALLOWED)

    def test_http11_needs_a_host(self):
        # The test client always sends Host, so build the environ by hand, without one.
        from werkzeug.test import EnvironBuilder, run_wsgi_app

        app = create_app()
        for protocol, status, body in (("HTTP/1.1", "400 BAD REQUEST", b'{"error":"bad request"}\n'),
                                       ("HTTP/1.2", "400 BAD REQUEST", b'{"error":"bad request"}\n'),
                                       ("HTTP/1.0", "200 OK", b'{"status":"ok"}\n')):
            with self.subTest(protocol=protocol):
                environ = EnvironBuilder(path="/healthz").get_environ()
                del environ["HTTP_HOST"]
                environ["SERVER_PROTOCOL"] = protocol
                app_iter, got_status, headers = run_wsgi_app(app, environ)
                self.assertEqual((got_status.upper(), b"".join(app_iter)), (status, body))
                self.assertEqual(headers["Content-Type"], "application/json")

    def test_a_bug_is_a_json_500(self):
        app = create_app()

        @app.get("/boom")
        def boom():
            raise RuntimeError("a bug")

        # The exact-path check would answer 404 first; let this one test path through.
        app.before_request_funcs[None].clear()
        response = app.test_client().get("/boom")
        self.assertJson(response, 500, b'{"error":"internal error"}\n')


if __name__ == "__main__":
    unittest.main()
