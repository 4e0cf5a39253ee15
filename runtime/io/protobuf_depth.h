/* How deeply a serialized protobuf message nests sub-messages. */
#ifndef CLG_PROTOBUF_DEPTH_H
#define CLG_PROTOBUF_DEPTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

/* The nesting limit protobuf's own C++ parser applies by default. */
#define CLG_PROTOBUF_MAX_DEPTH 100

/*
 * False when DATA, read as a DESC message, holds sub-messages more than
 * MAX_DEPTH levels deep. protobuf-c unpacks sub-messages recursively, so
 * such a file (an ONNX attribute's graph whose node's attribute holds a
 * graph, and so on) would overflow the stack; this check recurses at most
 * MAX_DEPTH times. Malformed wire data is left to protobuf-c to report
 * (the answer is true).
 */
bool clg_protobuf_depth_within(const uint8_t *data, size_t size, const ProtobufCMessageDescriptor *desc,
                               int max_depth);

#endif
