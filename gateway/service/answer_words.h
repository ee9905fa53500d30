/*
 * answer_words.h - an ONSS answer in words: the anomaly codes found in a
 * message's error or history, each with its title in the operator's
 * language ([operator] language = nl | fr | en).
 *
 * Dutch: the glossary's own title of the code ("Overlappende
 * Dimonaperiode"). French: the annex-30 label of its last three digits,
 * the only French the official lists carry, then the Dutch title when it
 * says more. English: the official lists have none; the Dutch title is
 * shown, marked "(nl)". Used by show, list and the run summary.
 */
#ifndef GW_SERVICE_ANSWER_WORDS_H
#define GW_SERVICE_ANSWER_WORDS_H

#include <stddef.h>
#include <stdio.h>

/* Words for one code ("90373-334"): "Overlappende Dimonaperiode
 * (blokkerend; Dimona IN aangifte)". 0 when no official list knows it
 * (out is then ""). */
int answer_words(const char *code, char *out, size_t cap);
/* The same in a given language ("nl", "fr", "en"), whatever the configuration. */
int answer_words_in(const char *code, const char *lang, char *out, size_t cap);

/* The next anomaly code (NNNNN-NNN or ACRF-NNN style) in text from *pos:
 * copied to code, *pos moved past it; 0 when there is none left. */
int answer_next_code(const char *text, size_t *pos, char *code, size_t cap);

/* 1 when the code that answer_next_code() just found (ending at pos) is
 * an information of the answer, not an anomaly: the Dimona channel writes
 * the answer's informationsCollection as its own part of the reason,
 * "...; information 00913-045, 00913-046". */
int answer_code_is_information(const char *text, size_t pos);

/* One line per distinct known code in text: "<indent><code>: <words>",
 * an information as "<indent>information <code>: <words>". */
void answer_words_print(FILE *f, const char *indent, const char *text);

#endif
