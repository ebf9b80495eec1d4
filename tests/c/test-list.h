/*
 * tests/c/test-list.h — every C test, by name.  A test `foo` is the function
 * `int test_foo(void)` (see test.h), run alone with `objref-tests foo`, and
 * registered with ctest as `c.foo` (tests/CMakeLists.txt reads the X(...)
 * lines of this file: keep one per line).
 */
#ifndef OBJREF_TEST_LIST_H
#define OBJREF_TEST_LIST_H

#define TEST_LIST(X) \
	/* test-alloc.c */ \
	X(sort_u64) \
	X(alloc_private) \
	X(alloc_huge_advice) \
	X(alloc_keeps_big_blocks) \
	X(alloc_keeps_no_more_than_was_in_use) \
	/* test-error.c */ \
	X(version) \
	X(error_message) \
	X(error_thread_local) \
	X(error_codes) \
	/* test-snapshot.c */ \
	X(strings_intern) \
	X(strings_many) \
	X(strings_embedded_nul) \
	X(strings_text_unshared) \
	X(snapshot_empty) \
	X(snapshot_accessors) \
	X(snapshot_type_names_copied) \
	X(snapshot_edges_csr) \
	X(snapshot_edges_order_kept) \
	X(snapshot_edge_start_kept_and_renewed) \
	X(snapshot_edges_sorted_then_not) \
	X(snapshot_edges_many) \
	X(snapshot_find) \
	X(snapshot_roots) \
	/* test-validate.c */ \
	X(snapshot_validate) \
	X(snapshot_validate_edge_target) \
	X(snapshot_validate_edge_source) \
	X(snapshot_validate_object_type) \
	X(snapshot_validate_desc_string) \
	X(snapshot_validate_label_string) \
	X(snapshot_validate_duplicate_addr) \
	X(snapshot_validate_root) \
	X(snapshot_validate_many_edges_one_object) \
	/* test-label.c */ \
	X(label_format_kinds) \
	X(label_format_other) \
	X(label_format_truncate) \
	/* test-dump.c */ \
	X(dump_roundtrip) \
	X(dump_roundtrip_compressed) \
	X(dump_roundtrip_unchecked) \
	X(dump_roundtrip_read) \
	X(dump_roundtrip_empty) \
	X(dump_add_string) \
	X(dump_bad_inputs) \
	X(dump_bad_compressed) \
	X(dump_write_errors) \
	X(dump_identity) \
	X(dump_identity_process) \
	X(dump_fault_injection) \
	X(dump_fuzz_quick) \
	/* test-heapsnapshot.c */ \
	X(dump_heapsnapshot_layout) \
	X(dump_heapsnapshot_escaping) \
	X(dump_heapsnapshot_errors) \
	/* test-census.c */ \
	X(census_add_find_totals) \
	X(census_name_copied) \
	X(census_many_rows) \
	X(census_sort_stable) \
	X(census_sort_stable_many) \
	X(census_copy) \
	X(census_from_snapshot_short) \
	X(census_from_snapshot_long) \
	X(census_tracked_only) \
	X(census_from_empty_snapshot) \
	/* test-growth.c */ \
	X(growth_since_peak) \
	X(growth_ties_stable) \
	X(series_basic) \
	X(series_growing_default) \
	X(series_growing_steady_since) \
	X(series_growing_opts) \
	X(series_growing_rank_bytes) \
	X(series_growing_too_short) \
	X(series_growing_two) \
	X(series_ended_rule) \
	X(series_ended_short) \
	X(series_ended_mid_run) \
	X(series_ended_reported) \
	X(format_ended) \
	X(growth_watch_due) \
	X(growth_watch_long) \
	X(growth_watch_budget) \
	X(fault_series_ended) \
	/* test-report.c */ \
	X(buf_basic) \
	X(format_count) \
	X(format_bytes) \
	X(format_most_common) \
	X(format_most_common_utf8) \
	X(format_growth) \
	X(format_census) \
	X(format_growing) \
	/* test-unexplained.c */ \
	X(unexplained_c_leak) \
	X(unexplained_no_verdict) \
	X(unexplained_sites) \
	X(unexplained_text) \
	X(unexplained_json) \
	X(unexplained_fault) \
	/* test-fault.c */ \
	X(fault_build_census) \
	X(fault_series_add) \
	X(fault_buf) \
	X(fault_snapshot_find) \
	X(fault_builder) \
	/* test-paths.c */ \
	X(paths_revindex_transpose) \
	X(paths_revindex_empty) \
	X(paths_shortest) \
	X(paths_max_depth) \
	X(paths_garbage_cycle) \
	X(paths_cycles_terminate) \
	X(paths_ignore) \
	X(paths_roots) \
	X(paths_root_ranks) \
	X(paths_predicate_ranks) \
	X(paths_forward) \
	X(paths_shared_index) \
	X(paths_long_chain) \
	X(paths_reuse_memory) \
	X(paths_group_two_shapes) \
	X(paths_group_ties) \
	X(paths_group_signature) \
	X(paths_format) \
	X(paths_fault) \
	X(paths_bench_1e6) \
	/* test-view.c */ \
	X(view_walk_backrefs) \
	X(view_walk_forward) \
	X(view_too_many) \
	X(view_node_cap) \
	X(view_chain) \
	X(view_frames) \
	/* test-render.c */ \
	X(dot_structure) \
	X(dot_frames_more_truncated) \
	X(dot_escaping) \
	X(xml_escape) \
	X(render_png_in_process) \
	X(render_png_isolated) \
	X(render_errors) \
	X(render_isolation) \
	X(png_add_text) \
	/* test-cycles.c */ \
	X(cycles_gc_disabled) \
	X(cycles_shape_rotation) \
	X(cycles_fix_backpointer) \
	X(cycles_fix_none) \
	X(cycles_legacy_del) \
	X(cycles_gc_garbage_list) \
	X(cycles_untraversable) \
	X(cycles_frozen) \
	X(cycles_external_and_retained) \
	X(scc_basic) \
	X(cycles_million) \
	X(cycles_report) \
	X(fault_cycles) \
	/* test-chains-report.c */ \
	X(chains_report_data) \
	X(chains_report_text) \
	X(chains_report_json) \
	X(chains_report_dot) \
	X(chains_report_fault) \
	X(chains_age_survivors) \
	X(chains_age_merge_by_holder) \
	X(chains_age_choose_type) \
	X(chains_age_new_roots) \
	X(chains_age_fault) \
	X(census_sorted_copy) \
	/* test-cycles-report.c */ \
	X(cycles_report_data) \
	X(cycles_report_text_json) \
	X(cycles_report_fault) \
	/* test-json.c */ \
	X(json_writer) \
	X(json_floats) \
	X(json_misuse) \
	X(cycles_view) \
	X(cycles_untraversable_ctypes) \
	/* test-cycles-names.c */ \
	X(cycles_name_refs) \
	X(cycles_name_refs_errors) \
	/* test-headers.c */ \
	X(header_umbrella) \
	X(dominators_textbook) \
	X(dominators_diamond_sizes) \
	X(dominators_shared_and_garbage) \
	X(dominators_by_type_once) \
	X(dominators_no_roots) \
	X(dominators_million_chain) \
	X(dominators_random_brute_force) \
	X(fault_dominators) \
	X(html_report) \
	X(html_chart_ended) \
	X(html_bad_input) \
	X(fault_html) \
	X(html_report_page) \
	X(fault_html_report) \
	/* test-report-census.c */ \
	X(census_top) \
	X(new_ids_table) \
	X(view_add_chains) \
	X(view_object_count) \
	X(fault_census_views) \
	X(run_report_json) \
	X(new_ids_memory) \
	X(fault_new_ids) \
	X(render_present) \
	X(view_too_many_referrers) \
	/* end */

#define X(name) int test_##name(void);
TEST_LIST(X)
#undef X

#endif
