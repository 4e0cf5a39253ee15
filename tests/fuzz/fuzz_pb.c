/* Fuzz target: the ONNX TensorProto (.pb) reader (clg_tensor_parse_pb). */
#include <stdint.h>
#include <stddef.h>

#include "tensor_io.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    clg_tensor *t = NULL;
    if (clg_tensor_parse_pb(data, size, "fuzz.pb", &t) == CLG_OK) {
        size_t n = clg_tensor_element_count(t);
        volatile float sum = 0.0f;
        for (size_t i = 0; i < n; i++) sum += t->data[i];
        (void)sum;
    }
    clg_tensor_destroy(t);
    return 0;
}
