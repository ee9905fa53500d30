/*
 * contract_jsonl.c - a JSON Lines contract record into a contract (records/contract_jsonl.h).
 *
 * Owns the JSON-specific refusals: not an object, a key twice, an unknown
 * key, a value that is not a string (a number for an amount above all),
 * invalid UTF-8 named by its field. jansson does the parsing; this file
 * never keeps a pointer into its objects after returning.
 */
#include "records/contract_jsonl.h"
#include "core/json_mem.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* U+FDD0, a noncharacter: stands in for each invalid byte so that jansson
 * parses the line and the field holding it can be named. */
static const char MARK[3] = { (char)0xEF, (char)0xB7, (char)0x90 };

static int
has_mark(const char *s, size_t n)
{
	return n >= 3 && memmem(s, n, MARK, 3) != NULL;
}

/* Copy line into fix with every invalid byte replaced by MARK. */
static size_t
repair_utf8(const char *line, size_t n, char *fix)
{
	size_t i = 0, o = 0;
	while (i < n) {
		size_t ok = text_utf8_check(line + i, n - i);
		memcpy(fix + o, line + i, ok);
		o += ok;
		i += ok;
		if (i < n) {
			memcpy(fix + o, MARK, 3);
			o += 3;
			i++;
		}
	}
	return o;
}

/* What a non-string JSON value is, for the rejection. */
static const char *
json_kind(const json_t *j)
{
	switch (json_typeof(j)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_INTEGER:
	case JSON_REAL: return "a number";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	case JSON_NULL: return "null";
	default: return "not a string";
	}
}

/* The key named in jansson's "duplicate object key near '"key"'". */
static void
duplicate_key(const char *text, char *out, size_t cap)
{
	const char *p = strstr(text, "near '\"");
	out[0] = '\0';
	if (p == NULL)
		return;
	p += 7;
	const char *e = strstr(p, "\"'");
	size_t n = e ? (size_t)(e - p) : strlen(p);
	if (n >= cap)
		n = cap - 1;
	memcpy(out, p, n);
	out[n] = '\0';
}

gw_rc
contract_jsonl_parse(const char *line, size_t n, char *fix, struct contract *c,
                     struct record_rejection *rej)
{
	struct field_value v[CF_COUNT];
	json_error_t err;
	json_t *root = NULL;
	char *owned = NULL;
	int bad_utf8 = 0;
	gw_rc rc;

	memset(v, 0, sizeof v);
	rej->record_id[0] = '\0';
	if (text_utf8_check(line, n) != n) {
		bad_utf8 = 1;
		/* Out of memory says nothing of the record: not a rejection. */
		if (fix == NULL && (fix = owned = malloc(3 * n + 1)) == NULL) {
			contract_reject(rej, "", "out of memory");
			return GW_ENOMEM;
		}
		n = repair_utf8(line, n, fix);
		line = fix;
	}
	json_mem_begin();
	root = json_loadb(line, n, JSON_REJECT_DUPLICATES, &err);
	/* jansson reports most allocation failures as syntax errors, and
	 * one in its lexer silently drops a character ("joint_committe"):
	 * after any, the parse says nothing of the record. */
	if (json_mem_failed()) {
		contract_reject(rej, "", "out of memory");
		rc = GW_ENOMEM;
		goto out;
	}
	if (root == NULL) {
		if (json_error_code(&err) == json_error_out_of_memory) {
			contract_reject(rej, "", "out of memory");
			rc = GW_ENOMEM;
		} else if (json_error_code(&err) == json_error_duplicate_key) {
			char key[48];
			duplicate_key(err.text, key, sizeof key);
			rc = contract_reject(rej, key, "given twice");
		} else if (bad_utf8)
			rc = contract_reject(rej, "", "invalid UTF-8 outside any value");
		else
			rc = contract_reject(rej, "", "not valid JSON (column %d: %s)",
			    err.column, err.text);
		goto out;
	}
	if (!json_is_object(root)) {
		rc = contract_reject(rej, "", "not a JSON object");
		goto out;
	}
	json_t *idv = json_object_get(root, "contract_id");
	if (json_is_string(idv) &&
	    (!bad_utf8 || !has_mark(json_string_value(idv), json_string_length(idv)))) {
		struct field_value id = { json_string_value(idv), json_string_length(idv) };
		contract_rejection_set_id(rej, &id);
	}

	const char *key;
	json_t *val;
	json_object_foreach(root, key, val) {
		size_t kn = strlen(key);
		if (has_mark(key, kn)) {
			rc = contract_reject(rej, "", "invalid UTF-8 in a field name");
			goto out;
		}
		int f = contract_field_lookup(key, kn);
		if (f < 0) {
			rc = contract_reject(rej, key, "unknown field");
			goto out;
		}
		if (!json_is_string(val)) {
			rc = contract_reject(rej, key, "must be a JSON string, not %s", json_kind(val));
			goto out;
		}
		const char *s = json_string_value(val);
		size_t sn = json_string_length(val);
		if (bad_utf8 && has_mark(s, sn)) {
			rc = contract_reject(rej, key, "invalid UTF-8");
			goto out;
		}
		v[f].p = s;
		v[f].n = sn;
	}
	rc = contract_build(v, c, rej);
out:
	json_decref(root);
	free(owned);
	return rc;
}
