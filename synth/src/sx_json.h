/* A minimal JSON reader (DOM) for the few files synth reads: flexor_config.json, Yosys `stat -json`
 * output, baselines. Numbers are doubles; strings are unescaped for \" \\ \/ \n \t only (enough here). */
#ifndef SX_JSON_H
#define SX_JSON_H
#include <stddef.h>

enum { SXJ_NULL, SXJ_BOOL, SXJ_NUM, SXJ_STR, SXJ_ARR, SXJ_OBJ };

typedef struct sxj {
    int type;
    double num;        /* SXJ_NUM, SXJ_BOOL */
    char *str;         /* SXJ_STR */
    char *key;         /* member name when inside an object */
    struct sxj *child; /* first element / member */
    struct sxj *next;  /* next sibling */
} sxj;

/* Parses text; NULL with a message in err on malformed input. */
sxj *sxj_parse(const char *text, char *err, size_t errlen);
/* Parses a whole file; NULL with "PATH: problem" in err. */
sxj *sxj_load(const char *path, char *err, size_t errlen);
/* As sxj_load, for Yosys 0.23 `stat -json` output: that version prints the text "design hierarchy"
 * lines into the JSON when modules nest two deep; lines not starting with a JSON token are dropped. */
sxj *sxj_load_yosys(const char *path, char *err, size_t errlen);
void sxj_free(sxj *v);
/* Member of an object by name, or NULL. */
const sxj *sxj_get(const sxj *obj, const char *key);
/* Number of a member, or dflt when absent / not a number. */
double sxj_num(const sxj *obj, const char *key, double dflt);
/* String of a member, or NULL. */
const char *sxj_str(const sxj *obj, const char *key);
#endif
