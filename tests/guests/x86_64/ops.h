/* Declarations of the x86-64 guest's operand-size test functions (ops.c). */
#ifndef OPS_H
#define OPS_H
#include <stdint.h>

int8_t ops8(int8_t a, int8_t b);
uint8_t ops8u(uint8_t a, uint8_t b);
int16_t ops16(int16_t a, int16_t b);
uint16_t ops16u(uint16_t a, uint16_t b);
int32_t ops32(int32_t a, int32_t b);
uint32_t ops32u(uint32_t a, uint32_t b);
int64_t ops64(int64_t a, int64_t b);
uint64_t ops64u(uint64_t a, uint64_t b);
uint64_t mulhi64(uint64_t a, uint64_t b);
int64_t imulhi64(int64_t a, int64_t b);
int32_t min32(int32_t a, int32_t b);
int32_t max32(int32_t a, int32_t b);
uint64_t minu64(uint64_t a, uint64_t b);
int64_t abs64(int64_t a);
int16_t clamp16(int32_t v);
uint32_t flags(int64_t a, int64_t b, uint32_t ua, uint32_t ub);
int64_t extend(int8_t c, uint8_t uc, int16_t s, uint16_t us, int32_t i, uint32_t ui);
uint32_t bits(uint64_t x, uint32_t y);
const char *classify(int op);

#endif
