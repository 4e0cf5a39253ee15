/* Nesting depth of protobuf wire data, checked before protobuf-c unpacks it. */
#include "protobuf_depth.h"

/* Reads a base-128 varint; false when it runs past END or over 10 bytes. */
static bool read_varint(const uint8_t **p, const uint8_t *end, uint64_t *value)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 70 && *p < end; shift += 7) {
        uint8_t byte = *(*p)++;
        v |= (uint64_t)(byte & 0x7f) << shift;
        if (!(byte & 0x80)) {
            *value = v;
            return true;
        }
    }
    return false;
}

enum { WIRE_VARINT = 0, WIRE_64BIT = 1, WIRE_LENGTH = 2, WIRE_32BIT = 5 };

bool clg_protobuf_depth_within(const uint8_t *data, size_t size, const ProtobufCMessageDescriptor *desc,
                               int max_depth)
{
    const uint8_t *p = data, *end = data + size;
    while (p < end) {
        uint64_t tag, value;
        if (!read_varint(&p, end, &tag)) return true;
        size_t left = (size_t)(end - p);
        switch (tag & 7) {
        case WIRE_VARINT:
            if (!read_varint(&p, end, &value)) return true;
            break;
        case WIRE_64BIT:
            if (left < 8) return true;
            p += 8;
            break;
        case WIRE_32BIT:
            if (left < 4) return true;
            p += 4;
            break;
        case WIRE_LENGTH: {
            if (!read_varint(&p, end, &value) || value > (uint64_t)(end - p)) return true;
            const ProtobufCFieldDescriptor *field =
                tag >> 3 <= UINT32_MAX ? protobuf_c_message_descriptor_get_field(desc, (unsigned)(tag >> 3))
                                       : NULL;
            if (field && field->type == PROTOBUF_C_TYPE_MESSAGE) {
                if (max_depth == 0) return false;
                if (!clg_protobuf_depth_within(p, (size_t)value, field->descriptor, max_depth - 1))
                    return false;
            }
            p += value;
            break;
        }
        default: /* groups or garbage: protobuf-c refuses them */
            return true;
        }
    }
    return true;
}
