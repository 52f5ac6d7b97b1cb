/*
 * log.h — leveled logging to stderr, one line per event, safe from any thread.
 * Nothing secret is ever passed here: callers log host and port, never a conninfo.
 */
#ifndef SLUICE_LOG_H
#define SLUICE_LOG_H

enum { LOG_ERROR = 0, LOG_WARNING, LOG_INFO, LOG_DEBUG };

extern int log_level;

/* Returns the level for "error", "warning", "info", "debug", or -1. */
int log_level_parse(const char *name);
void log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warning(...) log_msg(LOG_WARNING, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)                                                                             \
    do {                                                                                           \
        if (log_level >= LOG_DEBUG)                                                                \
            log_msg(LOG_DEBUG, __VA_ARGS__);                                                       \
    } while (0)

#endif
