/*
 * connstmt.h — CREATE / ALTER / DROP CONNECTION: rows of sluice.connection. With dialect
 * postgres they are written on the client's own backend session (so the client's
 * privileges and transaction apply: BEGIN; CREATE CONNECTION …; ROLLBACK; leaves nothing).
 * With dialect redshift the catalog is another database: they are written there on the
 * catalog's connection, each committed at once, and refused (25001) inside a transaction
 * block, as PostgreSQL refuses CREATE DATABASE. Secrets are sealed with the process's key
 * before any byte leaves sluice.
 */
#ifndef SLUICE_CONNSTMT_H
#define SLUICE_CONNSTMT_H

#include "intercept.h"
#include "parse.h"

/* Names of options whose values are secrets: sealed in the catalog, never shown. */
bool connstmt_is_secret(const char *option);

/*
 * Starts executing one of the three statements, or (explain set) shows the catalog SQL it
 * sends, secrets masked; ends with x->finish.
 */
void connstmt_execute(sl_exec *x, const sl_stmt *st, const sl_explain *explain);

#endif
