/*
 * answer_words.c - anomaly codes in words (answer_words.h).
 *
 * Codes are found in free text (a message's last error, an event's
 * reason) by their shape: five digits, a dash, three digits ("90373-334"),
 * or four capitals and three digits ("ACRF-088"). The words come from the
 * glossary (onss/glossary.h) and annex 30 (onss/codelist.h), both read at
 * run time from the official files.
 */
#include "service/answer_words.h"
#include "core/params.h"
#include "onss/codelist.h"
#include "onss/glossary.h"
#include <ctype.h>
#include <string.h>

/* Length of a code starting at s (9 or 8), or 0. */
static size_t
code_len(const char *s)
{
	size_t i = 0;
	if (isdigit((unsigned char)s[0])) {
		while (i < 5 && isdigit((unsigned char)s[i]))
			i++;
		if (i != 5)
			return 0;
	} else {
		while (i < 4 && isupper((unsigned char)s[i]))
			i++;
		if (i != 4)
			return 0;
	}
	if (s[i] != '-')
		return 0;
	for (size_t k = 1; k <= 3; k++)
		if (!isdigit((unsigned char)s[i + k]))
			return 0;
	return isalnum((unsigned char)s[i + 4]) ? 0 : i + 4;
}

int
answer_next_code(const char *text, size_t *pos, char *code, size_t cap)
{
	for (size_t i = *pos; text[i] != '\0'; i++) {
		if (i > 0 && isalnum((unsigned char)text[i - 1]))
			continue;       /* inside a longer token */
		size_t n = code_len(text + i);
		if (n == 0 || n >= cap)
			continue;
		memcpy(code, text + i, n);
		code[n] = '\0';
		*pos = i + n;
		return 1;
	}
	*pos = strlen(text);
	return 0;
}

int
answer_code_is_information(const char *text, size_t pos)
{
	/* Back to the start of the code's part (after the last ';'). */
	size_t i = pos;
	while (i > 0 && text[i - 1] != ';')
		i--;
	while (text[i] == ' ')
		i++;
	return strncmp(text + i, "information ", 12) == 0;
}

/* "blocking" for B, in the operator's language; the glossary's letter
 * otherwise (the files do not spell out P, NP and W: docs/operations.md). */
static const char *
severity_words(const char *sev, const char *lang)
{
	if (sev == NULL || strcmp(sev, "B") != 0)
		return sev;
	return strcmp(lang, "nl") == 0 ? "blokkerend" : strcmp(lang, "fr") == 0 ? "bloquant"
	    : "blocking";
}

int
answer_words(const char *code, char *out, size_t cap)
{
	return answer_words_in(code, param_str(P_OPERATOR_LANGUAGE), out, cap);
}

int
answer_words_in(const char *code, const char *lang, char *out, size_t cap)
{
	struct glossary_anomaly g;
	const char *nl = NULL, *fr = NULL;
	int have_g = glossary_anomaly_find(code, &g) == GW_OK && g.title_nl != NULL;
	int have_c = onss_error_label(code, &nl, &fr) == GW_OK;
	const char *main_text, *extra = NULL, *mark = "";
	out[0] = '\0';
	if (!have_g && !have_c)
		return 0;
	if (strcmp(lang, "fr") == 0 && have_c && fr != NULL) {
		main_text = fr;
		if (have_g && (nl == NULL || strcmp(g.title_nl, nl) != 0))
			extra = g.title_nl;
	} else {
		main_text = have_g ? g.title_nl : nl;
		if (strcmp(lang, "nl") != 0)
			mark = " (nl)";
	}
	if (main_text == NULL)
		return 0;
	size_t off = (size_t)snprintf(out, cap, "%s%s", main_text, mark);
	if (extra != NULL && off < cap)
		off += (size_t)snprintf(out + off, cap - off, " - %s (nl)", extra);
	if (have_g && off < cap) {
		const char *sev = severity_words(g.severity, lang);
		snprintf(out + off, cap - off, " (%s%s%s)", sev ? sev : "",
		    sev && g.zone_nl ? "; " : "", g.zone_nl ? g.zone_nl : "");
	}
	return 1;
}

void
answer_words_print(FILE *f, const char *indent, const char *text)
{
	char seen[16][16], code[16], words[512];
	size_t nseen = 0, pos = 0;
	while (answer_next_code(text, &pos, code, sizeof code)) {
		int dup = 0;
		for (size_t i = 0; i < nseen && !dup; i++)
			dup = strcmp(seen[i], code) == 0;
		if (dup)
			continue;
		if (nseen < 16)
			memcpy(seen[nseen++], code, sizeof code);
		if (answer_words(code, words, sizeof words))
			fprintf(f, "%s%s%s: %s\n", indent, answer_code_is_information(text, pos) ?
			    "information " : "", code, words);
	}
}
