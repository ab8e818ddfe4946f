#include "textflag.h"

// func rowFMA(y, bias, w, vals *float32, offs *int32, k, cols int, relu bool)
//
// For c in [0, cols) (cols a multiple of 4):
//	y[c] = bias[c] + sum over t < k of vals[t] * w[offs[t] + c]
// clamped at zero if relu. 32 outputs at a time stay in Y0-Y3 while the
// nonzeros stream past, then 8 at a time in Y0, then 4 in X0. (64 at a
// time in eight registers measured no faster.)
TEXT ·rowFMA(SB), NOSPLIT, $0-57
	MOVQ   y+0(FP), DI
	MOVQ   bias+8(FP), SI
	MOVQ   w+16(FP), DX
	MOVQ   vals+24(FP), R8
	MOVQ   offs+32(FP), R9
	MOVQ   k+40(FP), R10
	MOVQ   cols+48(FP), R11
	MOVBLZX relu+56(FP), R14
	VXORPS Y15, Y15, Y15 // zero, for the ReLU
	XORQ   CX, CX        // c

loop32:
	MOVQ R11, AX
	SUBQ CX, AX
	CMPQ AX, $32
	JLT  loop8
	VMOVUPS (SI)(CX*4), Y0
	VMOVUPS 32(SI)(CX*4), Y1
	VMOVUPS 64(SI)(CX*4), Y2
	VMOVUPS 96(SI)(CX*4), Y3
	LEAQ    (DX)(CX*4), BX // &w[c]
	XORQ    R12, R12       // t

inner32:
	CMPQ         R12, R10
	JGE          store32
	VBROADCASTSS (R8)(R12*4), Y4
	MOVLQSX      (R9)(R12*4), R13
	VFMADD231PS  (BX)(R13*4), Y4, Y0
	VFMADD231PS  32(BX)(R13*4), Y4, Y1
	VFMADD231PS  64(BX)(R13*4), Y4, Y2
	VFMADD231PS  96(BX)(R13*4), Y4, Y3
	INCQ         R12
	JMP          inner32

store32:
	TESTQ  R14, R14
	JZ     nomax32
	VMAXPS Y15, Y0, Y0
	VMAXPS Y15, Y1, Y1
	VMAXPS Y15, Y2, Y2
	VMAXPS Y15, Y3, Y3

nomax32:
	VMOVUPS Y0, (DI)(CX*4)
	VMOVUPS Y1, 32(DI)(CX*4)
	VMOVUPS Y2, 64(DI)(CX*4)
	VMOVUPS Y3, 96(DI)(CX*4)
	ADDQ    $32, CX
	JMP     loop32

loop8:
	MOVQ    R11, AX
	SUBQ    CX, AX
	CMPQ    AX, $8
	JLT     loop4
	VMOVUPS (SI)(CX*4), Y0
	LEAQ    (DX)(CX*4), BX
	XORQ    R12, R12

inner8:
	CMPQ         R12, R10
	JGE          store8
	VBROADCASTSS (R8)(R12*4), Y4
	MOVLQSX      (R9)(R12*4), R13
	VFMADD231PS  (BX)(R13*4), Y4, Y0
	INCQ         R12
	JMP          inner8

store8:
	TESTQ  R14, R14
	JZ     nomax8
	VMAXPS Y15, Y0, Y0

nomax8:
	VMOVUPS Y0, (DI)(CX*4)
	ADDQ    $8, CX
	JMP     loop8

loop4:
	CMPQ    CX, R11
	JGE     done
	VMOVUPS (SI)(CX*4), X0
	LEAQ    (DX)(CX*4), BX
	XORQ    R12, R12

inner4:
	CMPQ         R12, R10
	JGE          store4
	VBROADCASTSS (R8)(R12*4), X4
	MOVLQSX      (R9)(R12*4), R13
	VFMADD231PS  (BX)(R13*4), X4, X0
	INCQ         R12
	JMP          inner4

store4:
	TESTQ  R14, R14
	JZ     nomax4
	VMAXPS X15, X0, X0

nomax4:
	VMOVUPS X0, (DI)(CX*4)
	ADDQ    $4, CX
	JMP     loop4

done:
	VZEROUPPER
	RET
