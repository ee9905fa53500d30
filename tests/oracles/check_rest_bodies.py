#!/usr/bin/env python3
"""check_rest_bodies.py DESCRIPTION.json DIR

Checks every request body the Dimona REST simulator captured in DIR
(`gateway sim onss --capture DIR`) against the description written from the
published API (dimona-rest-v2.json), and every OAuth client assertion
(NNNNNN-token.form) as JSON: header alg RS256, iss = sub = the client id,
aud the token URL, a fresh jti each time, exp after iat by at most an hour,
nbf not after iat; and each token request asks for exactly one scope
(declarant or consult), both being asked in a run that declares and polls.
The signature itself is checked by openssl in check_jwt.sh. Standard
library only. Exit 1 with one line per finding, naming file and field.
"""
import base64
import json
import os
import re
import sys
import urllib.parse


SCOPES = ["scope:dimona:declaration:declarant", "scope:dimona:declaration:consult"]


def check(desc, defs, value, where, errs):
    if "$ref" in desc:
        merged = dict(defs[desc["$ref"]])
        merged.update({k: v for k, v in desc.items() if k != "$ref"})
        desc = merged
    t = desc.get("type")
    if t == "object":
        if not isinstance(value, dict):
            errs.append("%s: not an object" % where)
            return
        props = desc.get("properties", {})
        for k in desc.get("required", []):
            if k not in value:
                errs.append("%s: %s missing" % (where, k))
        if desc.get("additional") is False:
            for k in value:
                if k not in props:
                    errs.append("%s.%s: not in the published description" % (where, k))
        if "one_of_keys" in desc:
            present = [k for k in desc["one_of_keys"] if k in value]
            if len(present) != 1:
                errs.append("%s: exactly one of %s wanted, got %s" % (where, desc["one_of_keys"], present))
        alts = desc.get("alternatives")
        if alts and not any(all(k in value for k in a["required"]) and not any(k in value for k in a["forbidden"])
                            for a in alts):
            errs.append("%s: none of the allowed forms (%s)" % (where, " | ".join("+".join(a["required"]) for a in alts)))
        for k, v in value.items():
            if k in props:
                check(props[k], defs, v, "%s.%s" % (where, k), errs)
    elif t == "string":
        if not isinstance(value, str):
            errs.append("%s: %r is not a string" % (where, value))
            return
        if "pattern" in desc and not re.fullmatch(desc["pattern"], value):
            errs.append("%s: %r does not match %s" % (where, value, desc["pattern"]))
    elif t == "integer":
        if not isinstance(value, int) or isinstance(value, bool):
            errs.append("%s: %r is not an integer" % (where, value))
            return
        if value < desc.get("min", value) or value > desc.get("max", value):
            errs.append("%s: %d out of %s..%s" % (where, value, desc.get("min"), desc.get("max")))
    if "enum" in desc and value not in desc["enum"]:
        errs.append("%s: %r not one of %s" % (where, value, desc["enum"]))


def ssin_ok(s):
    body, check_digits = int(s[:9]), int(s[9:])
    return 97 - body % 97 == check_digits or 97 - (2000000000 + body) % 97 == check_digits


def b64url(part):
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def main():
    spec = json.load(open(sys.argv[1], encoding="utf-8"))
    folder = sys.argv[2]
    client_id = os.environ.get("CLIENT_ID", "self_service_expeditor_0668600511")
    errs, seen, jtis = [], {"declaration": 0, "search": 0, "token": 0, "periods-search": 0,
                            "relations-search": 0}, set()
    scopes_seen = set()
    for name in sorted(os.listdir(folder)):
        path = os.path.join(folder, name)
        raw = open(path, "rb").read()
        if name.endswith("-token.form"):
            seen["token"] += 1
            form = urllib.parse.parse_qs(raw.decode("ascii"), strict_parsing=True)
            want = {"grant_type": ["client_credentials"],
                    "client_assertion_type": ["urn:ietf:params:oauth:client-assertion-type:jwt-bearer"]}
            for k, v in want.items():
                if form.get(k) != v:
                    errs.append("%s: %s is %s" % (name, k, form.get(k)))
            jwt = form.get("client_assertion", [""])[0].split(".")
            if len(jwt) != 3:
                errs.append("%s: client_assertion is not a compact JWS" % name)
                continue
            head, claims = json.loads(b64url(jwt[0])), json.loads(b64url(jwt[1]))
            if head.get("alg") != "RS256" or set(head) - {"alg", "typ", "kid"}:
                errs.append("%s: JWT header %s" % (name, head))
            if claims.get("iss") != client_id or claims.get("sub") != client_id:
                errs.append("%s: iss/sub %s/%s, want %s" % (name, claims.get("iss"), claims.get("sub"), client_id))
            if not re.fullmatch(r"https://(localhost|127\.0\.0\.1):[0-9]+/REST/oauth/v5/token", str(claims.get("aud"))):
                errs.append("%s: aud %r is not the token URL" % (name, claims.get("aud")))
            iat, exp = claims.get("iat"), claims.get("exp")
            if not (isinstance(iat, int) and isinstance(exp, int) and 0 < exp - iat <= 3600):
                errs.append("%s: iat %r exp %r" % (name, iat, exp))
            # nbf as the production clients send it (docs/dimona.md, [O]).
            nbf = claims.get("nbf")
            if not (isinstance(nbf, int) and isinstance(iat, int) and nbf <= iat):
                errs.append("%s: nbf %r missing or after iat %r" % (name, nbf, iat))
            # One scope per use: each token request asks for exactly one.
            scope = form.get("scope", [""])
            if len(scope) != 1 or scope[0] not in SCOPES:
                errs.append("%s: scope %r is not exactly one of %s" % (name, scope, SCOPES))
            else:
                scopes_seen.add(scope[0])
            jti = claims.get("jti")
            if not isinstance(jti, str) or len(jti) < 16 or jti in jtis:
                errs.append("%s: jti %r missing, short or reused" % (name, jti))
            jtis.add(jti)
            continue
        kind = ("periods-search" if name.endswith("-periods-search.json")
                else "relations-search" if name.endswith("-relations-search.json")
                else "search" if name.endswith("-search.json")
                else "declaration" if name.endswith("-declaration.json") else None)
        if kind is None:
            errs.append("%s: a POST to an endpoint the gateway should not call" % name)
            continue
        seen[kind] += 1
        try:
            body = json.loads(raw.decode("utf-8"))
        except ValueError as e:
            errs.append("%s: not JSON: %s" % (name, e))
            continue
        check(spec[kind], spec["defs"], body, name, errs)
        ssin = body.get("worker", {}).get("ssin")
        if isinstance(ssin, str) and re.fullmatch("[0-9]{11}", ssin) and not ssin_ok(ssin):
            errs.append("%s.worker.ssin: %s fails the modulo 97 check" % (name, ssin))
    # A run that declares and polls asked for both, each on its own.
    if seen["declaration"] and scopes_seen != set(SCOPES):
        errs.append("token requests: scopes asked %s, want each of %s" % (sorted(scopes_seen), SCOPES))
    for e in errs:
        print(e)
    print("rest bodies: %d declarations, %d searches, %d token requests checked, %d findings"
          % (seen["declaration"], seen["search"], seen["token"], len(errs)))
    sys.exit(1 if errs or seen["declaration"] == 0 or seen["token"] == 0 else 0)


main()
