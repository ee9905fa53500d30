/*
 * messages.h - the official message of each EN 16931 and Peppol BIS rule,
 * read at run time from the Schematron files under
 * gw_reference_dir()/peppol/sch/ (never copied into the gateway).
 *
 * The validator fires rules by id; `invoice validate --explain` and the
 * operator's views add the words a person reads ("The Buyer postal address
 * shall contain a Buyer country code (BT-55)").
 */
#ifndef GW_PEPPOL_RULES_MESSAGES_H
#define GW_PEPPOL_RULES_MESSAGES_H

/* The message of rule id (without its "[ID]-" prefix), or NULL when no
 * Schematron file at hand has it. Valid until rule_messages_free(). */
const char *rule_message(const char *id);
void rule_messages_free(void);

#endif
