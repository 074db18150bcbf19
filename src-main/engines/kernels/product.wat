;; C −= A · B in double precision, with WebAssembly's 128-bit SIMD: the register-blocked matrix product behind the
;; LU factorisation's trailing update and the multi-right-hand-side triangular solves (src-main/engines/linalg.ts).
;; Built into product-wasm.ts by `npm run build:kernels`; tests/engines/kernels.test.ts checks that the two agree.
;;
;; Every entry is C[r, j] −= Σ_{k < depth} A[r, k] · B[k, j], the sum taken over k in order, each product and sum
;; rounded once (no fused multiply–add), so the digits are those of the plain scalar loop on every processor.
(module
  (import "env" "memory" (memory 1 65536 shared))

  ;; One entry: c −= Σ_k a[k] · b[k · ldb] (byte addresses, ldb in bytes); the edges the 4 × 4 blocks leave.
  (func $subtract_dot (param $c i32) (param $a i32) (param $b i32) (param $ldb i32) (param $depth i32)
    (local $sum f64)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $depth)))
        (local.set $sum (f64.add (local.get $sum) (f64.mul (f64.load (local.get $a)) (f64.load (local.get $b)))))
        (local.set $a (i32.add (local.get $a) (i32.const 8)))
        (local.set $b (i32.add (local.get $b) (local.get $ldb)))
        (local.set $depth (i32.sub (local.get $depth) (i32.const 1)))
        (br $next)))
    (f64.store (local.get $c) (f64.sub (f64.load (local.get $c)) (local.get $sum))))

  ;; C[r·ldc + j] −= Σ_k A[r·lda + k] · B[k·ldb + j] for r < rows, j < cols (offsets and strides in doubles).
  ;; Blocks of 4 rows × 4 columns keep their sixteen sums in eight two-lane registers: per k, two loads of a row
  ;; of B and four broadcast entries of A feed sixteen multiply–adds. The rows left over go one at a time, four
  ;; columns in two registers.
  (func (export "subtract_product")
    (param $c i32) (param $ldc i32) (param $a i32) (param $lda i32) (param $b i32) (param $ldb i32)
    (param $rows i32) (param $cols i32) (param $depth i32)
    (local $r i32) (local $j i32) (local $k i32) (local $q i32)
    (local $ap i32) (local $bp i32) (local $cp i32) (local $lda2 i32) (local $lda3 i32)
    (local $x v128) (local $b0 v128) (local $b1 v128)
    (local $t00 v128) (local $t01 v128) (local $t10 v128) (local $t11 v128)
    (local $t20 v128) (local $t21 v128) (local $t30 v128) (local $t31 v128)
    (local.set $c (i32.shl (local.get $c) (i32.const 3)))
    (local.set $a (i32.shl (local.get $a) (i32.const 3)))
    (local.set $b (i32.shl (local.get $b) (i32.const 3)))
    (local.set $ldc (i32.shl (local.get $ldc) (i32.const 3)))
    (local.set $lda (i32.shl (local.get $lda) (i32.const 3)))
    (local.set $ldb (i32.shl (local.get $ldb) (i32.const 3)))
    (local.set $lda2 (i32.shl (local.get $lda) (i32.const 1)))
    (local.set $lda3 (i32.add (local.get $lda2) (local.get $lda)))
    (block $rows_done
      (loop $row_block
        (br_if $rows_done (i32.gt_u (i32.add (local.get $r) (i32.const 4)) (local.get $rows)))
        (local.set $j (i32.const 0))
        (block $blocks_done
          (loop $column_block
            (br_if $blocks_done (i32.gt_u (i32.add (local.get $j) (i32.const 4)) (local.get $cols)))
            (local.set $t00 (v128.const f64x2 0 0)) (local.set $t01 (v128.const f64x2 0 0))
            (local.set $t10 (v128.const f64x2 0 0)) (local.set $t11 (v128.const f64x2 0 0))
            (local.set $t20 (v128.const f64x2 0 0)) (local.set $t21 (v128.const f64x2 0 0))
            (local.set $t30 (v128.const f64x2 0 0)) (local.set $t31 (v128.const f64x2 0 0))
            (local.set $ap (i32.add (local.get $a) (i32.mul (local.get $r) (local.get $lda))))
            (local.set $bp (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 3))))
            (local.set $k (local.get $depth))
            (block $sums_done
              (loop $sum
                (br_if $sums_done (i32.eqz (local.get $k)))
                (local.set $b0 (v128.load (local.get $bp)))
                (local.set $b1 (v128.load offset=16 (local.get $bp)))
                (local.set $x (v128.load64_splat (local.get $ap)))
                (local.set $t00 (f64x2.add (local.get $t00) (f64x2.mul (local.get $x) (local.get $b0))))
                (local.set $t01 (f64x2.add (local.get $t01) (f64x2.mul (local.get $x) (local.get $b1))))
                (local.set $x (v128.load64_splat (i32.add (local.get $ap) (local.get $lda))))
                (local.set $t10 (f64x2.add (local.get $t10) (f64x2.mul (local.get $x) (local.get $b0))))
                (local.set $t11 (f64x2.add (local.get $t11) (f64x2.mul (local.get $x) (local.get $b1))))
                (local.set $x (v128.load64_splat (i32.add (local.get $ap) (local.get $lda2))))
                (local.set $t20 (f64x2.add (local.get $t20) (f64x2.mul (local.get $x) (local.get $b0))))
                (local.set $t21 (f64x2.add (local.get $t21) (f64x2.mul (local.get $x) (local.get $b1))))
                (local.set $x (v128.load64_splat (i32.add (local.get $ap) (local.get $lda3))))
                (local.set $t30 (f64x2.add (local.get $t30) (f64x2.mul (local.get $x) (local.get $b0))))
                (local.set $t31 (f64x2.add (local.get $t31) (f64x2.mul (local.get $x) (local.get $b1))))
                (local.set $ap (i32.add (local.get $ap) (i32.const 8)))
                (local.set $bp (i32.add (local.get $bp) (local.get $ldb)))
                (local.set $k (i32.sub (local.get $k) (i32.const 1)))
                (br $sum)))
            (local.set $cp
              (i32.add (local.get $c)
                (i32.add (i32.mul (local.get $r) (local.get $ldc)) (i32.shl (local.get $j) (i32.const 3)))))
            (v128.store (local.get $cp) (f64x2.sub (v128.load (local.get $cp)) (local.get $t00)))
            (v128.store offset=16 (local.get $cp) (f64x2.sub (v128.load offset=16 (local.get $cp)) (local.get $t01)))
            (local.set $cp (i32.add (local.get $cp) (local.get $ldc)))
            (v128.store (local.get $cp) (f64x2.sub (v128.load (local.get $cp)) (local.get $t10)))
            (v128.store offset=16 (local.get $cp) (f64x2.sub (v128.load offset=16 (local.get $cp)) (local.get $t11)))
            (local.set $cp (i32.add (local.get $cp) (local.get $ldc)))
            (v128.store (local.get $cp) (f64x2.sub (v128.load (local.get $cp)) (local.get $t20)))
            (v128.store offset=16 (local.get $cp) (f64x2.sub (v128.load offset=16 (local.get $cp)) (local.get $t21)))
            (local.set $cp (i32.add (local.get $cp) (local.get $ldc)))
            (v128.store (local.get $cp) (f64x2.sub (v128.load (local.get $cp)) (local.get $t30)))
            (v128.store offset=16 (local.get $cp) (f64x2.sub (v128.load offset=16 (local.get $cp)) (local.get $t31)))
            (local.set $j (i32.add (local.get $j) (i32.const 4)))
            (br $column_block)))
        ;; the block's last cols mod 4 columns, entry by entry
        (block $edge_done
          (loop $edge_column
            (br_if $edge_done (i32.ge_u (local.get $j) (local.get $cols)))
            (local.set $q (i32.const 0))
            (block $four_done
              (loop $four
                (br_if $four_done (i32.eq (local.get $q) (i32.const 4)))
                (call $subtract_dot
                  (i32.add (local.get $c)
                    (i32.add (i32.mul (i32.add (local.get $r) (local.get $q)) (local.get $ldc))
                      (i32.shl (local.get $j) (i32.const 3))))
                  (i32.add (local.get $a) (i32.mul (i32.add (local.get $r) (local.get $q)) (local.get $lda)))
                  (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 3)))
                  (local.get $ldb) (local.get $depth))
                (local.set $q (i32.add (local.get $q) (i32.const 1)))
                (br $four)))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $edge_column)))
        (local.set $r (i32.add (local.get $r) (i32.const 4)))
        (br $row_block)))
    ;; the last rows mod 4 rows (all of them when rows < 4: a row vector times B), one row by 4 columns at a time,
    ;; then the row's last cols mod 4 columns entry by entry
    (block $last_rows_done
      (loop $last_row
        (br_if $last_rows_done (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $j (i32.const 0))
        (block $row_blocks_done
          (loop $row_block_columns
            (br_if $row_blocks_done (i32.gt_u (i32.add (local.get $j) (i32.const 4)) (local.get $cols)))
            (local.set $t00 (v128.const f64x2 0 0)) (local.set $t01 (v128.const f64x2 0 0))
            (local.set $ap (i32.add (local.get $a) (i32.mul (local.get $r) (local.get $lda))))
            (local.set $bp (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 3))))
            (local.set $k (local.get $depth))
            (block $row_sums_done
              (loop $row_sum
                (br_if $row_sums_done (i32.eqz (local.get $k)))
                (local.set $x (v128.load64_splat (local.get $ap)))
                (local.set $t00 (f64x2.add (local.get $t00) (f64x2.mul (local.get $x) (v128.load (local.get $bp)))))
                (local.set $t01
                  (f64x2.add (local.get $t01) (f64x2.mul (local.get $x) (v128.load offset=16 (local.get $bp)))))
                (local.set $ap (i32.add (local.get $ap) (i32.const 8)))
                (local.set $bp (i32.add (local.get $bp) (local.get $ldb)))
                (local.set $k (i32.sub (local.get $k) (i32.const 1)))
                (br $row_sum)))
            (local.set $cp
              (i32.add (local.get $c)
                (i32.add (i32.mul (local.get $r) (local.get $ldc)) (i32.shl (local.get $j) (i32.const 3)))))
            (v128.store (local.get $cp) (f64x2.sub (v128.load (local.get $cp)) (local.get $t00)))
            (v128.store offset=16 (local.get $cp) (f64x2.sub (v128.load offset=16 (local.get $cp)) (local.get $t01)))
            (local.set $j (i32.add (local.get $j) (i32.const 4)))
            (br $row_block_columns)))
        (block $row_done
          (loop $entry
            (br_if $row_done (i32.ge_u (local.get $j) (local.get $cols)))
            (call $subtract_dot
              (i32.add (local.get $c)
                (i32.add (i32.mul (local.get $r) (local.get $ldc)) (i32.shl (local.get $j) (i32.const 3))))
              (i32.add (local.get $a) (i32.mul (local.get $r) (local.get $lda)))
              (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 3)))
              (local.get $ldb) (local.get $depth))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $entry)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $last_row))))
)
