;; Kernels that read rows of a square matrix in place from a second memory, shared by every thread that clears
;; the network (the network's A: src-main/engines/kernels/workspace.ts, `sharedMatrixMemory`), for the batched
;; clearing (src-main/engines/batched-clearing.ts); what they write and their index lists are in the thread's own
;; workspace. Built into rows-wasm.ts by `npm run build:kernels`; tests/engines/kernels.test.ts checks that the
;; two agree.
;;
;; subtract_rows: out −= Σ_k f_k · (row k of the matrix), the rows picked by an index list, in double precision
;; with WebAssembly's 128-bit SIMD (the inflows Aᵀp recomputed from the rows of A of the defaulted banks). The
;; rows go eight at a time: out[i] −= f_0 a_0[i] + f_1 a_1[i] + … + f_7 a_7[i], the eight products summed in
;; order and the sum subtracted, each product and sum rounded once (no fused multiply–add); the last count mod 8
;; rows one at a time. So every digit is that of the plain scalar loop, on every processor.
(module
  (import "env" "memory" (memory 1 65536 shared))
  (import "env" "matrix" (memory 1 65536 shared))

  ;; out[i] −= Σ_{k < count} factors[k] · matrix[rows[k] + i] for i < length. out and factors: double offsets in the
  ;; workspace; rows: an int32 offset in the workspace of `count` double offsets into the matrix.
  (func (export "subtract_rows")
    (param $out i32) (param $length i32) (param $rows i32) (param $factors i32) (param $count i32)
    (local $k i32) (local $i i32) (local $end i32) (local $o i32)
    (local $r0 i32) (local $r1 i32) (local $r2 i32) (local $r3 i32)
    (local $r4 i32) (local $r5 i32) (local $r6 i32) (local $r7 i32)
    (local $f0 v128) (local $f1 v128) (local $f2 v128) (local $f3 v128)
    (local $f4 v128) (local $f5 v128) (local $f6 v128) (local $f7 v128)
    (local $s0 v128) (local $s1 v128)
    (local.set $out (i32.shl (local.get $out) (i32.const 3)))
    (local.set $rows (i32.shl (local.get $rows) (i32.const 2)))
    (local.set $factors (i32.shl (local.get $factors) (i32.const 3)))
    ;; the bytes of out that four columns at a time cover
    (local.set $end (i32.shl (i32.and (local.get $length) (i32.const -4)) (i32.const 3)))
    (block $groups_done
      (loop $group
        (br_if $groups_done (i32.gt_u (i32.add (local.get $k) (i32.const 8)) (local.get $count)))
        (local.set $r0 (i32.shl (i32.load (local.get $rows)) (i32.const 3)))
        (local.set $r1 (i32.shl (i32.load offset=4 (local.get $rows)) (i32.const 3)))
        (local.set $r2 (i32.shl (i32.load offset=8 (local.get $rows)) (i32.const 3)))
        (local.set $r3 (i32.shl (i32.load offset=12 (local.get $rows)) (i32.const 3)))
        (local.set $r4 (i32.shl (i32.load offset=16 (local.get $rows)) (i32.const 3)))
        (local.set $r5 (i32.shl (i32.load offset=20 (local.get $rows)) (i32.const 3)))
        (local.set $r6 (i32.shl (i32.load offset=24 (local.get $rows)) (i32.const 3)))
        (local.set $r7 (i32.shl (i32.load offset=28 (local.get $rows)) (i32.const 3)))
        (local.set $f0 (v128.load64_splat (local.get $factors)))
        (local.set $f1 (v128.load64_splat offset=8 (local.get $factors)))
        (local.set $f2 (v128.load64_splat offset=16 (local.get $factors)))
        (local.set $f3 (v128.load64_splat offset=24 (local.get $factors)))
        (local.set $f4 (v128.load64_splat offset=32 (local.get $factors)))
        (local.set $f5 (v128.load64_splat offset=40 (local.get $factors)))
        (local.set $f6 (v128.load64_splat offset=48 (local.get $factors)))
        (local.set $f7 (v128.load64_splat offset=56 (local.get $factors)))
        ;; four columns at a time: two independent chains of eight products
        (local.set $i (i32.const 0))
        (block $columns_done
          (loop $columns
            (br_if $columns_done (i32.ge_u (local.get $i) (local.get $end)))
            (local.set $s0 (f64x2.mul (local.get $f0) (v128.load 1 (i32.add (local.get $r0) (local.get $i)))))
            (local.set $s1
              (f64x2.mul (local.get $f0) (v128.load 1 offset=16 (i32.add (local.get $r0) (local.get $i)))))
            (local.set $s0 (f64x2.add (local.get $s0)
              (f64x2.mul (local.get $f1) (v128.load 1 (i32.add (local.get $r1) (local.get $i))))))
            (local.set $s1 (f64x2.add (local.get $s1)
              (f64x2.mul (local.get $f1) (v128.load 1 offset=16 (i32.add (local.get $r1) (local.get $i))))))
            (local.set $s0 (f64x2.add (local.get $s0)
              (f64x2.mul (local.get $f2) (v128.load 1 (i32.add (local.get $r2) (local.get $i))))))
            (local.set $s1 (f64x2.add (local.get $s1)
              (f64x2.mul (local.get $f2) (v128.load 1 offset=16 (i32.add (local.get $r2) (local.get $i))))))
            (local.set $s0 (f64x2.add (local.get $s0)
              (f64x2.mul (local.get $f3) (v128.load 1 (i32.add (local.get $r3) (local.get $i))))))
            (local.set $s1 (f64x2.add (local.get $s1)
              (f64x2.mul (local.get $f3) (v128.load 1 offset=16 (i32.add (local.get $r3) (local.get $i))))))
            (local.set $s0 (f64x2.add (local.get $s0)
              (f64x2.mul (local.get $f4) (v128.load 1 (i32.add (local.get $r4) (local.get $i))))))
            (local.set $s1 (f64x2.add (local.get $s1)
              (f64x2.mul (local.get $f4) (v128.load 1 offset=16 (i32.add (local.get $r4) (local.get $i))))))
            (local.set $s0 (f64x2.add (local.get $s0)
              (f64x2.mul (local.get $f5) (v128.load 1 (i32.add (local.get $r5) (local.get $i))))))
            (local.set $s1 (f64x2.add (local.get $s1)
              (f64x2.mul (local.get $f5) (v128.load 1 offset=16 (i32.add (local.get $r5) (local.get $i))))))
            (local.set $s0 (f64x2.add (local.get $s0)
              (f64x2.mul (local.get $f6) (v128.load 1 (i32.add (local.get $r6) (local.get $i))))))
            (local.set $s1 (f64x2.add (local.get $s1)
              (f64x2.mul (local.get $f6) (v128.load 1 offset=16 (i32.add (local.get $r6) (local.get $i))))))
            (local.set $s0 (f64x2.add (local.get $s0)
              (f64x2.mul (local.get $f7) (v128.load 1 (i32.add (local.get $r7) (local.get $i))))))
            (local.set $s1 (f64x2.add (local.get $s1)
              (f64x2.mul (local.get $f7) (v128.load 1 offset=16 (i32.add (local.get $r7) (local.get $i))))))
            (local.set $o (i32.add (local.get $out) (local.get $i)))
            (v128.store (local.get $o) (f64x2.sub (v128.load (local.get $o)) (local.get $s0)))
            (v128.store offset=16 (local.get $o) (f64x2.sub (v128.load offset=16 (local.get $o)) (local.get $s1)))
            (local.set $i (i32.add (local.get $i) (i32.const 32)))
            (br $columns)))
        ;; the last length mod 4 columns, one lane at a time
        (block $tail_done
          (loop $tail
            (br_if $tail_done (i32.ge_u (local.get $i) (i32.shl (local.get $length) (i32.const 3))))
            (local.set $o (i32.add (local.get $out) (local.get $i)))
            (f64.store (local.get $o)
              (f64.sub (f64.load (local.get $o))
                (f64.add (f64.add (f64.add (f64.add (f64.add (f64.add (f64.add
                  (f64.mul (f64x2.extract_lane 0 (local.get $f0)) (f64.load 1 (i32.add (local.get $r0) (local.get $i))))
                  (f64.mul (f64x2.extract_lane 0 (local.get $f1)) (f64.load 1 (i32.add (local.get $r1) (local.get $i)))))
                  (f64.mul (f64x2.extract_lane 0 (local.get $f2)) (f64.load 1 (i32.add (local.get $r2) (local.get $i)))))
                  (f64.mul (f64x2.extract_lane 0 (local.get $f3)) (f64.load 1 (i32.add (local.get $r3) (local.get $i)))))
                  (f64.mul (f64x2.extract_lane 0 (local.get $f4)) (f64.load 1 (i32.add (local.get $r4) (local.get $i)))))
                  (f64.mul (f64x2.extract_lane 0 (local.get $f5)) (f64.load 1 (i32.add (local.get $r5) (local.get $i)))))
                  (f64.mul (f64x2.extract_lane 0 (local.get $f6)) (f64.load 1 (i32.add (local.get $r6) (local.get $i)))))
                  (f64.mul (f64x2.extract_lane 0 (local.get $f7)) (f64.load 1 (i32.add (local.get $r7) (local.get $i)))))))
            (local.set $i (i32.add (local.get $i) (i32.const 8)))
            (br $tail)))
        (local.set $k (i32.add (local.get $k) (i32.const 8)))
        (local.set $rows (i32.add (local.get $rows) (i32.const 32)))
        (local.set $factors (i32.add (local.get $factors) (i32.const 64)))
        (br $group)))
    ;; the last count mod 8 rows, one at a time
    (block $rows_done
      (loop $row
        (br_if $rows_done (i32.ge_u (local.get $k) (local.get $count)))
        (local.set $r0 (i32.shl (i32.load (local.get $rows)) (i32.const 3)))
        (local.set $f0 (v128.load64_splat (local.get $factors)))
        (local.set $i (i32.const 0))
        (block $pairs_done
          (loop $pairs
            (br_if $pairs_done (i32.ge_u (local.get $i) (local.get $end)))
            (local.set $o (i32.add (local.get $out) (local.get $i)))
            (v128.store (local.get $o) (f64x2.sub (v128.load (local.get $o))
              (f64x2.mul (local.get $f0) (v128.load 1 (i32.add (local.get $r0) (local.get $i))))))
            (v128.store offset=16 (local.get $o) (f64x2.sub (v128.load offset=16 (local.get $o))
              (f64x2.mul (local.get $f0) (v128.load 1 offset=16 (i32.add (local.get $r0) (local.get $i))))))
            (local.set $i (i32.add (local.get $i) (i32.const 32)))
            (br $pairs)))
        (block $row_tail_done
          (loop $row_tail
            (br_if $row_tail_done (i32.ge_u (local.get $i) (i32.shl (local.get $length) (i32.const 3))))
            (local.set $o (i32.add (local.get $out) (local.get $i)))
            (f64.store (local.get $o) (f64.sub (f64.load (local.get $o))
              (f64.mul (f64x2.extract_lane 0 (local.get $f0)) (f64.load 1 (i32.add (local.get $r0) (local.get $i))))))
            (local.set $i (i32.add (local.get $i) (i32.const 8)))
            (br $row_tail)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (local.set $rows (i32.add (local.get $rows) (i32.const 4)))
        (local.set $factors (i32.add (local.get $factors) (i32.const 8)))
        (br $row)))
  )

  ;; gather: block[c · stride + r] = matrix[list[c] · width + list[r]] for c0 ≤ c < c1, r0 ≤ r < r1 (the entries
  ;; a_{D_c D_r} of the default set D = list, a `width` × `width` matrix). block: a double offset in the
  ;; workspace; list: an int32 offset. Eight rows at a time, so that eight scattered reads are in flight together.
  (func (export "gather")
    (param $block i32) (param $stride i32) (param $list i32) (param $width i32)
    (param $c0 i32) (param $c1 i32) (param $r0 i32) (param $r1 i32)
    (local $c i32) (local $r i32) (local $j i32) (local $at i32) (local $out i32) (local $row i32)
    (local $a0 i32) (local $a1 i32) (local $a2 i32) (local $a3 i32)
    (local $a4 i32) (local $a5 i32) (local $a6 i32) (local $a7 i32)
    (local.set $block (i32.shl (local.get $block) (i32.const 3)))
    (local.set $stride (i32.shl (local.get $stride) (i32.const 3)))
    (local.set $list (i32.shl (local.get $list) (i32.const 2)))
    (local.set $width (i32.shl (local.get $width) (i32.const 3)))
    (local.set $c (local.get $c0))
    (block $groups_done
      (loop $group
        (br_if $groups_done (i32.gt_u (i32.add (local.get $c) (i32.const 8)) (local.get $c1)))
        (local.set $at (i32.add (local.get $list) (i32.shl (local.get $c) (i32.const 2))))
        (local.set $a0 (i32.mul (i32.load (local.get $at)) (local.get $width)))
        (local.set $a1 (i32.mul (i32.load offset=4 (local.get $at)) (local.get $width)))
        (local.set $a2 (i32.mul (i32.load offset=8 (local.get $at)) (local.get $width)))
        (local.set $a3 (i32.mul (i32.load offset=12 (local.get $at)) (local.get $width)))
        (local.set $a4 (i32.mul (i32.load offset=16 (local.get $at)) (local.get $width)))
        (local.set $a5 (i32.mul (i32.load offset=20 (local.get $at)) (local.get $width)))
        (local.set $a6 (i32.mul (i32.load offset=24 (local.get $at)) (local.get $width)))
        (local.set $a7 (i32.mul (i32.load offset=28 (local.get $at)) (local.get $width)))
        (local.set $row (i32.add (local.get $block) (i32.mul (local.get $c) (local.get $stride))))
        (local.set $r (local.get $r0))
        (block $entries_done
          (loop $entry
            (br_if $entries_done (i32.ge_u (local.get $r) (local.get $r1)))
            (local.set $j (i32.shl (i32.load (i32.add (local.get $list) (i32.shl (local.get $r) (i32.const 2))))
              (i32.const 3)))
            (local.set $out (i32.add (local.get $row) (i32.shl (local.get $r) (i32.const 3))))
            (f64.store (local.get $out) (f64.load 1 (i32.add (local.get $a0) (local.get $j))))
            (local.set $out (i32.add (local.get $out) (local.get $stride)))
            (f64.store (local.get $out) (f64.load 1 (i32.add (local.get $a1) (local.get $j))))
            (local.set $out (i32.add (local.get $out) (local.get $stride)))
            (f64.store (local.get $out) (f64.load 1 (i32.add (local.get $a2) (local.get $j))))
            (local.set $out (i32.add (local.get $out) (local.get $stride)))
            (f64.store (local.get $out) (f64.load 1 (i32.add (local.get $a3) (local.get $j))))
            (local.set $out (i32.add (local.get $out) (local.get $stride)))
            (f64.store (local.get $out) (f64.load 1 (i32.add (local.get $a4) (local.get $j))))
            (local.set $out (i32.add (local.get $out) (local.get $stride)))
            (f64.store (local.get $out) (f64.load 1 (i32.add (local.get $a5) (local.get $j))))
            (local.set $out (i32.add (local.get $out) (local.get $stride)))
            (f64.store (local.get $out) (f64.load 1 (i32.add (local.get $a6) (local.get $j))))
            (local.set $out (i32.add (local.get $out) (local.get $stride)))
            (f64.store (local.get $out) (f64.load 1 (i32.add (local.get $a7) (local.get $j))))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $entry)))
        (local.set $c (i32.add (local.get $c) (i32.const 8)))
        (br $group)))
    ;; the last rows, one at a time
    (block $rows_done
      (loop $row_left
        (br_if $rows_done (i32.ge_u (local.get $c) (local.get $c1)))
        (local.set $a0
          (i32.mul (i32.load (i32.add (local.get $list) (i32.shl (local.get $c) (i32.const 2)))) (local.get $width)))
        (local.set $row (i32.add (local.get $block) (i32.mul (local.get $c) (local.get $stride))))
        (local.set $r (local.get $r0))
        (block $left_done
          (loop $left
            (br_if $left_done (i32.ge_u (local.get $r) (local.get $r1)))
            (local.set $j (i32.shl (i32.load (i32.add (local.get $list) (i32.shl (local.get $r) (i32.const 2))))
              (i32.const 3)))
            (f64.store (i32.add (local.get $row) (i32.shl (local.get $r) (i32.const 3)))
              (f64.load 1 (i32.add (local.get $a0) (local.get $j))))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $left)))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $row_left)))
  )
)
