#[test]
fn timing() {
    let mut s = String::from("x = input(64)\n");
    for i in 0..2000 { s.push_str(&format!("x{i} = x -> dense(64, relu) -> batchnorm -> dropout(0.1)\n")); }
    s.push_str("y = add(");
    s.push_str(&(0..2000).map(|i| format!("x{i}")).collect::<Vec<_>>().join(", "));
    s.push_str(") -> dense(5, softmax)\n");
    let t = std::time::Instant::now();
    let n = ir::frontend::dsl::parse(&s).unwrap();
    let parse = t.elapsed();
    let t = std::time::Instant::now();
    let p = ir::frontend::dsl::to_dsl(&n);
    let print = t.elapsed();
    println!("layers {} bytes {} parse {:?} print {:?}", n.len(), s.len(), parse, print);
    let t = std::time::Instant::now();
    let n2 = ir::frontend::dsl::parse(&std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/jet_tagger_mlp.psn")).unwrap()).unwrap();
    println!("jet tagger parse {:?} ({} layers); reprint bytes {}", t.elapsed(), n2.len(), p.len());
}
