"""Reading a node's -metrics endpoints: /metrics through prometheus_client's
own parser (Debian's python3-prometheus-client, which contrib/install-deps.sh
installs), so a test fails on anything that is not the exposition format."""

import http.client
import sys


def metrics_parser():
    try:
        from prometheus_client.parser import text_string_to_metric_families
    except ImportError:
        # Debian's package, when the tests run on another interpreter (pyenv).
        sys.path.append("/usr/lib/python3/dist-packages")
        try:
            from prometheus_client.parser import text_string_to_metric_families
        except ImportError as e:
            raise AssertionError("prometheus_client is missing: run contrib/install-deps.sh "
                                 "(python3-prometheus-client)") from e
    return text_string_to_metric_families


def http_get(port, path, method="GET", body=None):
    """(status, content type, body) of one request to 127.0.0.1:port."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body,
                     headers={"Content-Type": "application/json"} if body else {})
        res = conn.getresponse()
        return res.status, res.getheader("Content-Type") or "", res.read().decode()
    finally:
        conn.close()


def scrape(port):
    """(families by name, text) of GET /metrics; raises unless 200 and parseable."""
    status, ctype, text = http_get(port, "/metrics")
    if status != 200 or "text/plain; version=0.0.4" not in ctype:
        raise AssertionError(f"/metrics answered {status} {ctype!r}: {text[:200]!r}")
    families = {f.name: f for f in metrics_parser()(text)}
    return families, text


def sample_value(families, name, labels=None, sample=None):
    """The value of family `name`'s first sample matching `labels` (and the
    sample name `sample`, for a histogram's _count or _sum)."""
    for s in families[name].samples:
        if sample is not None and s.name != sample:
            continue
        if labels is None or all(s.labels.get(k) == v for k, v in labels.items()):
            return s.value
    raise AssertionError(f"no sample {sample or name} {labels}")
