#!/usr/bin/env python3
"""Re-check every figure of data/real-projects/rows.csv against its report file.

Plain Python (standard library only). For each row it parses the row's C-synthesis report
(`csynth_format` xml: a Vivado/Vitis HLS `<top>_csynth.xml`; rpt: the text report, as written
by the tool or as printed in a notebook's stored output) and, when `post_synth_report` is set,
the Vivado `report_utilization` text, and compares every figure column with what the report
says. Also checks that the files a row names exist and that the row's part, clock and tool
version agree with the report. Exits 1 listing every mismatch; prints a summary otherwise.

usage: scripts/check_real_projects.py [DATA_DIR]   (default: data/real-projects)
"""
import csv
import os
import re
import sys
import xml.etree.ElementTree as ET

CSYNTH_FIELDS = ["lat_min", "lat_max", "ii_min", "ii_max", "lut", "ff", "dsp", "bram_18k"]
POST_FIELDS = ["ps_lut", "ps_ff", "ps_dsp", "ps_bram_18k"]


class ReportError(Exception):
    pass


def _int(text, what, path):
    try:
        return int(text.strip())
    except (AttributeError, ValueError):
        raise ReportError(f"{path}: {what}: expected an integer, found {text!r}")


def parse_csynth_xml(path):
    """Figures of a `<top>_csynth.xml` (Vivado HLS writes DSP48E, Vitis HLS DSP)."""
    root = ET.parse(path).getroot()

    def get(p):
        e = root.find(p)
        if e is None or e.text is None:
            raise ReportError(f"{path}: element {p} missing")
        return e.text

    lat = "PerformanceEstimates/SummaryOfOverallLatency/"
    res = "AreaEstimates/Resources/"
    dsp = res + ("DSP48E" if root.find(res + "DSP48E") is not None else "DSP")
    return {
        "tool_version": get("ReportVersion/Version"),
        "part": get("UserAssignments/Part"),
        "clock_ns": float(get("UserAssignments/TargetClockPeriod")),
        "lat_min": _int(get(lat + "Best-caseLatency"), "Best-caseLatency", path),
        "lat_max": _int(get(lat + "Worst-caseLatency"), "Worst-caseLatency", path),
        "ii_min": _int(get(lat + "Interval-min"), "Interval-min", path),
        "ii_max": _int(get(lat + "Interval-max"), "Interval-max", path),
        "lut": _int(get(res + "LUT"), "LUT", path),
        "ff": _int(get(res + "FF"), "FF", path),
        "dsp": _int(get(dsp), "DSP", path),
        "bram_18k": _int(get(res + "BRAM_18K"), "BRAM_18K", path),
    }


def _cells(line):
    return [c.strip() for c in line.strip().strip("|").split("|")]


def parse_csynth_rpt(path):
    """Figures of a csynth text report (`<top>_csynth.rpt` or the same text printed by
    `hls4ml.report.read_vivado_report`): Vivado HLS 2018.2-2020.1 and Vitis HLS layouts."""
    text = open(path, encoding="utf-8").read()
    ver = re.search(r"\* Version:\s*(\S+)", text)
    dev = re.search(r"\* Target device:\s*(\S+)", text)
    clk = re.search(r"\|ap_clk\s*\|\s*([\d.]+)", text)
    if not (ver and dev and clk):
        raise ReportError(f"{path}: header (Version, Target device, ap_clk target) not found")
    # Overall latency: the first data row of the Summary table under "+ Latency".
    m = re.search(r"\+ Latency[^\n]*\n\s*\* Summary:\s*\n((?:\s*[+|][^\n]*\n)+)", text)
    if not m:
        raise ReportError(f"{path}: latency summary table not found")
    rows = [l for l in m.group(1).splitlines() if l.strip().startswith("|")]
    data = [r for r in rows if re.match(r"\s*\|\s*[\d?]", r)]
    if not data:
        raise ReportError(f"{path}: latency summary has no data row")
    # Drop the absolute-latency cells ("12.5 ns", "11.860 us", "1.2 ms"; Vitis HLS picks the unit).
    cells = [c for c in _cells(data[0]) if not re.fullmatch(r"[\d.]+\s*(ns|us|ms|sec|s)", c) and c not in ("", "-")]
    # cells: lat_min, lat_max, ii_min, ii_max, pipeline type
    if len(cells) < 5:
        raise ReportError(f"{path}: latency summary row {data[0].strip()!r} has too few cells")
    lat_min, lat_max, ii_min, ii_max = (_int(c, "latency summary", path) for c in cells[:4])
    # Utilisation summary: header row names the columns, then the Total row.
    u = text.find("Utilization Estimates")
    if u < 0:
        raise ReportError(f"{path}: Utilization Estimates section not found")
    head = re.search(r"\|\s*Name\s*\|([^\n]*)", text[u:])
    tot = re.search(r"\|Total\s*\|([^\n]*)", text[u:])
    if not (head and tot):
        raise ReportError(f"{path}: utilisation summary header or Total row not found")
    names = _cells(head.group(1))
    vals = _cells(tot.group(1))
    col = dict(zip(names, vals))
    dspk = "DSP48E" if "DSP48E" in col else "DSP"
    for k in ("BRAM_18K", dspk, "FF", "LUT"):
        if k not in col:
            raise ReportError(f"{path}: utilisation column {k} missing (have {names})")
    return {
        "tool_version": ver.group(1),
        "part": dev.group(1),
        "clock_ns": float(clk.group(1)),
        "lat_min": lat_min,
        "lat_max": lat_max,
        "ii_min": ii_min,
        "ii_max": ii_max,
        "lut": _int(col["LUT"], "LUT", path),
        "ff": _int(col["FF"], "FF", path),
        "dsp": _int(col[dspk], dspk, path),
        "bram_18k": _int(col["BRAM_18K"], "BRAM_18K", path),
    }


def parse_vivado_synth(path):
    """Used LUT/FF/DSP/BRAM of a Vivado `report_utilization` text (Block RAM tiles are 36 Kb:
    reported ×2 as 18K blocks)."""
    used = {}
    for line in open(path, encoding="utf-8"):
        t = line.strip()
        if not t.startswith("|"):
            continue
        c = _cells(t)
        if len(c) < 2:
            continue
        site = c[0].rstrip("*").strip()
        key = {"Slice LUTs": "ps_lut", "CLB LUTs": "ps_lut", "Slice Registers": "ps_ff",
               "CLB Registers": "ps_ff", "DSPs": "ps_dsp", "Block RAM Tile": "tiles"}.get(site)
        if key and key not in used:
            used[key] = c[1]
    for k in ("ps_lut", "ps_ff", "ps_dsp", "tiles"):
        if k not in used:
            raise ReportError(f"{path}: utilisation row for {k} missing")
    tiles = float(used.pop("tiles"))
    out = {k: _int(v, k, path) for k, v in used.items()}
    out["ps_bram_18k"] = int(round(tiles * 2))
    return out


def parse_csynth(path, fmt):
    if fmt == "xml":
        return parse_csynth_xml(path)
    if fmt == "rpt":
        return parse_csynth_rpt(path)
    raise ReportError(f"{path}: unknown csynth_format {fmt!r} (expected xml or rpt)")


def norm_part(p):
    return re.sub(r"[^a-z0-9]", "", p.lower())


def check(data_dir):
    path = os.path.join(data_dir, "rows.csv")
    errors = []
    n = 0
    sources = set()
    versions = set()
    post = 0
    with open(path, newline="", encoding="utf-8") as f:
        for line_no, row in enumerate(csv.DictReader(f), start=2):
            n += 1
            rid = row["row_id"]
            where = f"rows.csv line {line_no} ({rid})"
            sources.add(row["source_id"])
            for col in ("csynth_report", "config_file", "model_file"):
                if row[col] and not os.path.isfile(os.path.join(data_dir, row[col])):
                    errors.append(f"{where}: {col} {row[col]} does not exist")
            try:
                rep = parse_csynth(os.path.join(data_dir, row["csynth_report"]), row["csynth_format"])
            except (ReportError, OSError, ET.ParseError) as e:
                errors.append(f"{where}: {e}")
                continue
            versions.add(rep["tool_version"])
            for k in CSYNTH_FIELDS:
                if str(rep[k]) != row[k]:
                    errors.append(f"{where}: {k} is {row[k]} in rows.csv but {rep[k]} in {row['csynth_report']}")
            if row["tool_version"] != rep["tool_version"]:
                errors.append(f"{where}: tool_version {row['tool_version']} but the report says {rep['tool_version']}")
            if norm_part(row["part"]) != norm_part(rep["part"]):
                errors.append(f"{where}: part {row['part']} but the report says {rep['part']}")
            if abs(float(row["clock_ns"]) - rep["clock_ns"]) > 1e-9:
                errors.append(f"{where}: clock_ns {row['clock_ns']} but the report says {rep['clock_ns']}")
            if row["post_synth_report"]:
                post += 1
                try:
                    ps = parse_vivado_synth(os.path.join(data_dir, row["post_synth_report"]))
                except (ReportError, OSError) as e:
                    errors.append(f"{where}: {e}")
                    continue
                for k in POST_FIELDS:
                    if str(ps[k]) != row[k]:
                        errors.append(f"{where}: {k} is {row[k]} in rows.csv but {ps[k]} in {row['post_synth_report']}")
            else:
                for k in POST_FIELDS:
                    if row[k]:
                        errors.append(f"{where}: {k} set without a post_synth_report")
    if errors:
        print("\n".join(errors))
        print(f"FAILED: {len(errors)} mismatches in {n} rows")
        return 1
    print(f"OK: {n} rows ({post} with post-synthesis figures) from {len(sources)} sources, "
          f"tool versions {', '.join(sorted(versions))}: every figure matches its report")
    return 0


if __name__ == "__main__":
    sys.exit(check(sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "data", "real-projects")))
