/*
 * value.c — constructors, lookups and deep equality for neo4j_value.
 */
#include <string.h>

#include "neo4j.h"

neo4j_value
neo4j_string(const char *cstr)
{
    /* NULL is taken as a missing value rather than a crash */
    if (!cstr)
        return neo4j_null();
    return neo4j_string_n(cstr, strlen(cstr));
}

neo4j_value
neo4j_struct(uint8_t tag, const neo4j_value *fields, size_t n)
{
    neo4j_value v = {0};

    v.type = (uint8_t) neo4j_type_for_tag(tag);
    v.tag = tag;
    v.size = (uint32_t) n;
    v.u.items = fields;
    return v;
}

neo4j_type
neo4j_type_for_tag(uint8_t tag)
{
    switch (tag)
    {
        case NEO4J_TAG_NODE: return NEO4J_NODE;
        case NEO4J_TAG_RELATIONSHIP: return NEO4J_RELATIONSHIP;
        case NEO4J_TAG_UNBOUND_RELATIONSHIP: return NEO4J_UNBOUND_RELATIONSHIP;
        case NEO4J_TAG_PATH: return NEO4J_PATH;
        case NEO4J_TAG_DATE: return NEO4J_DATE;
        case NEO4J_TAG_TIME: return NEO4J_TIME;
        case NEO4J_TAG_LOCAL_TIME: return NEO4J_LOCAL_TIME;
        case NEO4J_TAG_DATE_TIME:
        case NEO4J_TAG_LEGACY_DATE_TIME: return NEO4J_DATE_TIME;
        case NEO4J_TAG_DATE_TIME_ZONE_ID:
        case NEO4J_TAG_LEGACY_DATE_TIME_ZONE_ID: return NEO4J_DATE_TIME_ZONE_ID;
        case NEO4J_TAG_LOCAL_DATE_TIME: return NEO4J_LOCAL_DATE_TIME;
        case NEO4J_TAG_DURATION: return NEO4J_DURATION;
        case NEO4J_TAG_POINT_2D: return NEO4J_POINT_2D;
        case NEO4J_TAG_POINT_3D: return NEO4J_POINT_3D;
        case NEO4J_TAG_VECTOR: return NEO4J_VECTOR;
        case NEO4J_TAG_UNSUPPORTED: return NEO4J_UNSUPPORTED;
        default: return NEO4J_STRUCT;
    }
}

const char *
neo4j_type_name(neo4j_type type)
{
    switch (type)
    {
        case NEO4J_NULL: return "Null";
        case NEO4J_BOOL: return "Boolean";
        case NEO4J_INT: return "Integer";
        case NEO4J_FLOAT: return "Float";
        case NEO4J_BYTES: return "Bytes";
        case NEO4J_STRING: return "String";
        case NEO4J_LIST: return "List";
        case NEO4J_MAP: return "Map";
        case NEO4J_NODE: return "Node";
        case NEO4J_RELATIONSHIP: return "Relationship";
        case NEO4J_UNBOUND_RELATIONSHIP: return "UnboundRelationship";
        case NEO4J_PATH: return "Path";
        case NEO4J_DATE: return "Date";
        case NEO4J_TIME: return "Time";
        case NEO4J_LOCAL_TIME: return "LocalTime";
        case NEO4J_DATE_TIME: return "DateTime";
        case NEO4J_DATE_TIME_ZONE_ID: return "DateTimeZoneId";
        case NEO4J_LOCAL_DATE_TIME: return "LocalDateTime";
        case NEO4J_DURATION: return "Duration";
        case NEO4J_POINT_2D:
        case NEO4J_POINT_3D: return "Point";
        case NEO4J_VECTOR: return "Vector";
        case NEO4J_UNSUPPORTED: return "UnsupportedType";
        case NEO4J_STRUCT: return "Structure";
    }
    return "Unknown";
}

static inline bool
same_string(const neo4j_value *a, const char *s, size_t n)
{
    return a->type == NEO4J_STRING && a->size == n && (n == 0 || memcmp(a->u.string, s, n) == 0);
}

/* The last entry with this key wins, as PackStream says for duplicate keys. */
static const neo4j_value *
map_get_n(const neo4j_value *map, const char *key, size_t n)
{
    uint32_t i;

    if (!map || map->type != NEO4J_MAP)
        return NULL;
    for (i = map->size; i-- > 0;)
    {
        if (same_string(&map->u.entries[i].key, key, n))
            return &map->u.entries[i].value;
    }
    return NULL;
}

const neo4j_value *
neo4j_map_get(const neo4j_value *map, const char *key)
{
    if (!key)
        return NULL;
    return map_get_n(map, key, strlen(key));
}

bool
neo4j_string_equals(const neo4j_value *v, const char *cstr)
{
    if (!v || !cstr)
        return false;
    return same_string(v, cstr, strlen(cstr));
}

static bool
maps_equal(const neo4j_value *a, const neo4j_value *b)
{
    uint32_t i;

    /* Fast path: keys in the same order (what a re-encoded map has). */
    for (i = 0; i < a->size; i++)
    {
        const neo4j_map_entry *ea = &a->u.entries[i];
        const neo4j_map_entry *eb = &b->u.entries[i];

        if (!neo4j_value_equals(&ea->key, &eb->key))
            break;
        if (!neo4j_value_equals(&ea->value, &eb->value))
            return false;
    }
    if (i == a->size)
        return true;

    /* Keys in another order: compare by lookup, both ways. */
    for (i = 0; i < a->size; i++)
    {
        const neo4j_value *k = &a->u.entries[i].key;
        const neo4j_value *vb;

        if (k->type != NEO4J_STRING)
            return false;
        vb = map_get_n(b, k->u.string, k->size);
        if (!vb || !neo4j_value_equals(map_get_n(a, k->u.string, k->size), vb))
            return false;
    }
    for (i = 0; i < b->size; i++)
    {
        const neo4j_value *k = &b->u.entries[i].key;

        if (k->type != NEO4J_STRING || !map_get_n(a, k->u.string, k->size))
            return false;
    }
    return true;
}

bool
neo4j_value_equals(const neo4j_value *a, const neo4j_value *b)
{
    uint32_t i;

    if (a == b)
        return true;
    if (!a || !b)
        return false;
    if (a->type != b->type)
        return false;

    switch ((neo4j_type) a->type)
    {
        case NEO4J_NULL:
            return true;
        case NEO4J_BOOL:
            return a->u.boolean == b->u.boolean;
        case NEO4J_INT:
            return a->u.integer == b->u.integer;
        case NEO4J_FLOAT:
            /* bitwise, so NaN == NaN and 0.0 != -0.0 */
            return memcmp(&a->u.real, &b->u.real, sizeof(double)) == 0;
        case NEO4J_BYTES:
        case NEO4J_STRING:
            return a->size == b->size &&
                   (a->size == 0 || memcmp(a->u.bytes, b->u.bytes, a->size) == 0);
        case NEO4J_MAP:
            return a->size == b->size && maps_equal(a, b);
        case NEO4J_LIST:
        default:
            /* lists and every structure */
            if (a->size != b->size || a->tag != b->tag || a->flags != b->flags)
                return false;
            for (i = 0; i < a->size; i++)
            {
                if (!neo4j_value_equals(&a->u.items[i], &b->u.items[i]))
                    return false;
            }
            return true;
    }
}
