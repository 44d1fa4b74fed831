#
# Varnish in front of careers_site: a shared cache that stores only what the app says may be
# shared, and forgets it when the app purges its surrogate keys (careers_site/cdn.py).
#
# How to read VCL: Varnish calls a subroutine at each step of a request (vcl_recv when it
# arrives, vcl_backend_response when the app answered, vcl_deliver before the client gets the
# answer...). A subroutine ends with return (<what to do next>): "hash" looks the request up in
# the cache, "pass" sends it to the app and keeps nothing, "synth" answers from here. A
# subroutine that does not return falls through to Varnish's built-in one of the same name; every
# subroutine below returns, so that the rules are all on this page.
#
# The names between double at-signs (the backend, the purgers, the site's host names) are filled
# in by cdn/varnish.py when it starts varnishd.
#
vcl 4.1;

import std;

# The app (gunicorn).
backend app {
    .host = "@@BACKEND_HOST@@";
    .port = "@@BACKEND_PORT@@";
    .connect_timeout = 2s;
    .first_byte_timeout = 60s;
    .between_bytes_timeout = 10s;
}

# Who may purge: the app's own addresses. Anyone else gets a 403.
acl purgers {
@@PURGERS@@
}

sub vcl_recv {
    # The app reads the client's address from X-Real-IP (DJANGO_CLIENT_IP_HEADER=HTTP_X_REAL_IP)
    # for rate limits: always the address of the connection, whatever the client sent.
    set req.http.X-Real-IP = client.ip;

    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        if (req.http.Surrogate-Key) {
            # Keys are lower-case words with dashes, separated by spaces ("article-12 home"). Only
            # those characters may reach the ban's regular expression below.
            if (req.http.Surrogate-Key !~ "^ *[a-z0-9-]+( +[a-z0-9-]+)* *$") {
                return (synth(400, "Bad Surrogate-Key"));
            }
            # "article-12 home" becomes (^|[[:space:]])(article-12|home)([[:space:]]|$): each key
            # as a whole word of the object's Surrogate-Key, so article-1 never bans article-12
            # (and "article" bans nothing). The ban applies at once to every stored object.
            if (!std.ban("obj.http.Surrogate-Key ~ (^|[[:space:]])(" + regsuball(
                regsuball(req.http.Surrogate-Key, "^ +| +$", ""), " +", "|") +
                ")([[:space:]]|$)")) {
                return (synth(500, "Ban failed: " + std.ban_error()));
            }
            return (synth(200, "Banned"));
        }
        # A PURGE without keys forgets the one URL it names (every variant of it).
        return (purge);
    }

    # The built-in rules refuse requests Varnish cannot route to a host (HTTP/1.1 without Host).
    if (!req.http.Host && req.proto ~ "^(?i)HTTP/1.1") {
        return (synth(400));
    }
    if (req.method == "PRI") {
        return (synth(405));
    }

    # Only reads are looked up: a POST (a comment, a lead) and the rest always reach the app.
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }

    # A request that carries one of these cookies gets its own page (signed-in staff, a reader's
    # own held comment, saved comment details, pending messages): the same list as the app's
    # PAGE_CACHE_PERSONAL_COOKIES. The name must match whole: "my_sessionid" is not "sessionid".
    if (req.http.Cookie ~ "(^|;) *(sessionid|comment_submitted|comment_author|messages)=") {
        return (pass);
    }
    if (req.http.Authorization) {
        return (pass);
    }

    # Landings: the app's attribution middleware must see campaign parameters and the referrer
    # of a visit that arrives from another site, so those requests go to the app.
    if (req.url ~ "(?i)[?&](utm_[a-z0-9_]*|gclid|fbclid|msclkid)(=|&|$)") {
        return (pass);
    }
    if (req.http.Referer ~ "^[a-zA-Z][a-zA-Z0-9+.-]*://[^/?#]") {
        # The referrer's host[:port], lower case, compared with the site's own names (any port)
        # and with this request's Host (what the app compares it with).
        set req.http.X-Referer-Netloc = std.tolower(
            regsub(req.http.Referer, "^[a-zA-Z][a-zA-Z0-9+.-]*://(?:[^/?#@]*@)?([^/?#]*).*$", "\1"));
        if (req.http.X-Referer-Netloc !~ "^(@@SITE_HOSTS@@)(:[0-9]+)?$"
            && req.http.X-Referer-Netloc != std.tolower(req.http.Host)) {
            unset req.http.X-Referer-Netloc;
            return (pass);
        }
        unset req.http.X-Referer-Netloc;
    }

    # Everything else is looked up, whatever other cookies it carries (csrftoken, leads_visit,
    # analytics): the built-in rules would pass any request with a Cookie. The cookies still reach
    # the app on a miss, and the app marks a response shareable only when it does not depend on
    # them; they are not part of the cache key (the URL and Host are).
    return (hash);
}

sub vcl_backend_response {
    # A pass: nothing to decide, nothing is kept.
    if (bereq.uncacheable) {
        return (deliver);
    }
    # Stored only when the app says a shared cache may keep it: s-maxage, or public with a
    # max-age; never with a cookie being set, never when private or no-store. The time to live
    # Varnish computed already prefers s-maxage to max-age.
    if (beresp.http.Set-Cookie
        || beresp.http.Cache-Control ~ "(?i)(^|[ ,])(private|no-store|no-cache)([ ,=]|$)"
        || !(beresp.http.Cache-Control ~ "(?i)(^|[ ,])s-maxage=[0-9]"
             || (beresp.http.Cache-Control ~ "(?i)(^|[ ,])public([ ,]|$)"
                 && beresp.http.Cache-Control ~ "(?i)(^|[ ,])max-age=[0-9]"))
        || beresp.http.Vary == "*"
        || beresp.ttl <= 0s) {
        # Hit-for-miss: for two minutes requests for this URL go to the app without queueing
        # behind each other; a later response that may be stored replaces the marker.
        set beresp.ttl = 120s;
        set beresp.uncacheable = true;
        return (deliver);
    }
    # Once its time is up, a page may still be served for a few seconds while a fresh copy is
    # fetched in the background. A purge removes it at once, grace or not.
    set beresp.grace = 10s;
    return (deliver);
}

sub vcl_deliver {
    # HIT: from the cache; MISS: fetched and stored; PASS: fetched and not stored (a pass, or a
    # response that may not be shared).
    if (obj.uncacheable) {
        set resp.http.X-Cache = "PASS";
    } elsif (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
    # The keys are for purging here, not for the world.
    unset resp.http.Surrogate-Key;
    return (deliver);
}

sub vcl_synth {
    set resp.http.Content-Type = "text/plain; charset=utf-8";
    set resp.body = resp.reason + {"
"};
    return (deliver);
}
