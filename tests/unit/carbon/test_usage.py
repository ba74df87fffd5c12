"""Usage-based estimates (CCF) checked against hand-computed rows.

Every expected number below is written out from the Cloud Carbon Footprint constants
(AwsFootprintEstimationConstants.ts, GcpFootprintEstimationConstants.ts, ComputeProcessorTypes.ts at
commit 0656d555), not read back from our coefficient file.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pytest

from steward.carbon import CoefficientsError, estimate_usage_emissions, load_coefficients

# CCF constants, typed in from the CCF sources
AWS_MIN_W, AWS_MAX_W, AWS_PUE = 0.74, 3.5, 1.135
GCP_MIN_W, GCP_MAX_W, GCP_PUE = 0.68, 4.11, 1.1
US_EAST_1_T, EU_NORTH_1_T, AWS_UNKNOWN_T = 0.000379069, 0.000008, 0.00038738  # t CO2e / kWh
US_CENTRAL1_T, GCP_US_MULTI_T = 0.000454, 0.0003734285714
A10G, T4 = (18, 153), (8, 71)
HDD_WH, SSD_WH = 0.65, 1.2
NETWORK_KWH_GB, MEMORY_KWH_GBH = 0.001, 0.000392
GIB = 1.073741824
NOV_HOURS = 30 * 24
DAY = dt.datetime(2026, 11, 3, tzinfo=dt.UTC)


def _line(provider, service, usage, unit, qty, region, *, cost=1.0, sku=None, tags='{"team":"x"}'):
    return {
        "ChargePeriodStart": DAY,
        "BillingPeriodStart": dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
        "BillingAccountId": "acct",
        "ProviderName": provider,
        "ServiceName": service,
        "RegionId": region,
        "x_UsageType": usage,
        "SkuId": sku,
        "ConsumedQuantity": qty,
        "ConsumedUnit": unit,
        "BilledCost": cost,
        "BillingCurrency": "USD",
        "Tags": tags,
    }


LINES = [
    _line("AWS", "AmazonEC2", "USE1-BoxUsage:m5.xlarge", "Hrs", 10.0, "us-east-1"),
    _line("AWS", "AmazonSageMaker", "USE1-Train:ml.g5.2xlarge", "Hrs", 6.0, "us-east-1"),
    _line("AWS", "AmazonS3", "USE1-TimedStorage-ByteHrs", "GB-Mo", 28.0, "us-east-1"),
    _line("AWS", "AWSDataTransfer", "USE1-DataTransfer-Out-Bytes", "GB", 300.0, "us-east-1"),
    _line("AWS", "AmazonEKS", "USE1-AmazonEKS-Hours:perCluster", "Hrs", 24.0, "us-east-1", cost=2.4),
    _line("AWS", "AmazonEC2", "EUN1-BoxUsage:m5.xlarge", "Hrs", 10.0, "eu-north-1"),
    _line("AWS", "AmazonEC2", "XX-BoxUsage:m5.xlarge", "Hrs", 10.0, "mars-1"),
    _line("AWS", "AmazonEC2", "USE1-BoxUsage:x9.huge", "Hrs", 1.0, "us-east-1", cost=9.0),
    _line(
        "Google Cloud",
        "Compute Engine",
        None,
        "hour",
        96.0,
        "us-central1",
        sku="N2 Instance Core running in Americas",
    ),
    _line(
        "Google Cloud",
        "Compute Engine",
        None,
        "hour",
        14.0,
        "us-central1",
        sku="Nvidia Tesla T4 GPU running in Americas",
    ),
    _line(
        "Google Cloud",
        "Cloud Storage",
        None,
        "gibibyte month",
        166.0,
        "us",
        sku="Standard Storage US Multi-region",
    ),
    _line(
        "Google Cloud",
        "Networking",
        None,
        "gibibyte",
        80.0,
        "us-central1",
        sku="Network Internet Data Transfer Out from Americas to Americas",
    ),
    _line(
        "Google Cloud",
        "Compute Engine",
        None,
        "gibibyte hour",
        100.0,
        "us-central1",
        sku="N2 Instance Ram running in Americas",
    ),
    _line("Google Cloud", "BigQuery", None, "tebibyte", 1.2, "us", sku="Analysis", cost=7.5),
    _line("Microsoft", "Virtual Machines", "D2s v3", "Hrs", 5.0, "eastus", cost=0.5),
]


@pytest.fixture(scope="module")
def out() -> list[dict]:
    table = pa.Table.from_pylist(LINES)
    return estimate_usage_emissions(table, coefficients=load_coefficients("2026.11")).to_pylist()


def _kg(it_kwh: float, pue: float, t_per_kwh: float) -> float:
    return it_kwh * pue * t_per_kwh * 1000


def test_aws_instance_hours(out) -> None:
    r = out[0]
    it = 10 * 4 * (AWS_MIN_W + 0.5 * (AWS_MAX_W - AWS_MIN_W)) / 1000  # m5.xlarge: 4 vCPUs
    assert r["x_UsageCategory"] == "compute" and r["x_VcpuHours"] == 40
    assert r["x_ItEnergyKwh"] == pytest.approx(it)
    assert r["x_EnergyKwh"] == pytest.approx(it * AWS_PUE)
    assert r["x_GridGco2ePerKwh"] == pytest.approx(US_EAST_1_T * 1e6)
    assert r["x_Co2eKg"] == pytest.approx(_kg(it, AWS_PUE, US_EAST_1_T))
    assert r["x_CoefficientsVersion"] == "2026.11"


def test_aws_gpu_instance_counts_cpu_and_gpu(out) -> None:
    r = out[1]  # g5.2xlarge: 8 vCPUs, 1 A10G
    cpu = 6 * 8 * (AWS_MIN_W + 0.5 * (AWS_MAX_W - AWS_MIN_W))
    gpu = 6 * 1 * (A10G[0] + 0.5 * (A10G[1] - A10G[0]))
    assert (r["x_VcpuHours"], r["x_GpuHours"], r["x_GpuModel"]) == (48, 6, "A10G")
    assert r["x_ItEnergyKwh"] == pytest.approx((cpu + gpu) / 1000)
    assert r["x_Co2eKg"] == pytest.approx(_kg((cpu + gpu) / 1000, AWS_PUE, US_EAST_1_T))


def test_storage_network_memory(out) -> None:
    s3 = out[2]  # S3: HDD, replication 3, GB-month over November's 720 hours
    tb_hours = 28 * NOV_HOURS / 1000
    assert s3["x_UsageCategory"] == "storage"
    assert s3["x_StorageTbHours"] == pytest.approx(tb_hours)
    assert s3["x_ItEnergyKwh"] == pytest.approx(tb_hours * 3 * HDD_WH / 1000)
    net = out[3]
    assert net["x_UsageCategory"] == "network" and net["x_NetworkGb"] == 300
    assert net["x_ItEnergyKwh"] == pytest.approx(300 * NETWORK_KWH_GB)
    assert net["x_Co2eKg"] == pytest.approx(_kg(0.3, AWS_PUE, US_EAST_1_T))
    gcs = out[10]  # multi-region Cloud Storage: replication 6, GiB -> GB
    tb_hours = 166 * GIB * NOV_HOURS / 1000
    assert gcs["x_ItEnergyKwh"] == pytest.approx(tb_hours * 6 * HDD_WH / 1000)
    assert gcs["x_Co2eKg"] == pytest.approx(_kg(tb_hours * 6 * HDD_WH / 1000, GCP_PUE, GCP_US_MULTI_T))
    gnet = out[11]
    assert gnet["x_ItEnergyKwh"] == pytest.approx(80 * GIB * NETWORK_KWH_GB)
    ram = out[12]
    assert ram["x_UsageCategory"] == "memory"
    assert ram["x_ItEnergyKwh"] == pytest.approx(100 * GIB * MEMORY_KWH_GBH)


def test_gcp_vcpu_and_gpu_hours(out) -> None:
    cores = out[8]
    it = 96 * (GCP_MIN_W + 0.5 * (GCP_MAX_W - GCP_MIN_W)) / 1000
    assert cores["x_UsageCategory"] == "compute" and cores["x_VcpuHours"] == 96
    assert cores["x_Co2eKg"] == pytest.approx(_kg(it, GCP_PUE, US_CENTRAL1_T))
    gpu = out[9]
    it = 14 * (T4[0] + 0.5 * (T4[1] - T4[0])) / 1000
    assert (gpu["x_UsageCategory"], gpu["x_GpuModel"], gpu["x_GpuHours"]) == ("gpu", "T4", 14)
    assert gpu["x_Co2eKg"] == pytest.approx(_kg(it, GCP_PUE, US_CENTRAL1_T))


def test_regions_change_only_the_grid_factor(out) -> None:
    east, north, unknown = out[0], out[5], out[6]
    assert north["x_ItEnergyKwh"] == pytest.approx(east["x_ItEnergyKwh"])
    assert north["x_Co2eKg"] == pytest.approx(_kg(north["x_ItEnergyKwh"], AWS_PUE, EU_NORTH_1_T))
    assert unknown["x_Co2eKg"] == pytest.approx(_kg(east["x_ItEnergyKwh"], AWS_PUE, AWS_UNKNOWN_T))
    assert unknown["x_GridRegionKnown"] is False and "mars-1" in unknown["x_EstimateNote"]


def test_unmapped_usage_is_kept_as_unestimated_with_its_cost(out) -> None:
    unestimated = {i: r for i, r in enumerate(out) if r["x_UsageCategory"] == "unestimated"}
    assert sorted(unestimated) == [4, 7, 13, 14]  # EKS fee, unknown instance, BigQuery scan, Azure
    assert [unestimated[i]["BilledCost"] for i in (4, 7, 13, 14)] == [2.4, 9.0, 7.5, 0.5]
    for r in unestimated.values():
        assert r["x_Co2eKg"] is None and r["x_EnergyKwh"] is None and r["x_EstimateNote"]
    assert "x9.huge" in unestimated[7]["x_EstimateNote"]
    assert "'Microsoft' has no coefficients" in unestimated[14]["x_EstimateNote"]
    assert "tebibyte" in unestimated[13]["x_EstimateNote"]
    assert len(out) == len(LINES), "one output row per input line"
    assert [r["Tags"] for r in out] == [ln["Tags"] for ln in LINES]


def test_utilization_scales_compute_not_storage() -> None:
    table = pa.Table.from_pylist([LINES[0], LINES[2]])
    idle = estimate_usage_emissions(table, coefficients=load_coefficients(), utilization=0.0).to_pylist()
    full = estimate_usage_emissions(table, coefficients=load_coefficients(), utilization=1.0).to_pylist()
    assert idle[0]["x_ItEnergyKwh"] == pytest.approx(40 * AWS_MIN_W / 1000)
    assert full[0]["x_ItEnergyKwh"] == pytest.approx(40 * AWS_MAX_W / 1000)
    assert idle[1]["x_ItEnergyKwh"] == full[1]["x_ItEnergyKwh"]
    assert (idle[0]["x_CpuUtilization"], idle[1]["x_CpuUtilization"]) == (0.0, None)


def test_pricing_quantity_stands_in_for_a_missing_consumed_quantity() -> None:
    line = dict(LINES[0], ConsumedQuantity=None, ConsumedUnit=None, PricingQuantity=10.0, PricingUnit="Hrs")
    r = estimate_usage_emissions(pa.Table.from_pylist([line]), coefficients=load_coefficients()).to_pylist()[
        0
    ]
    assert r["x_VcpuHours"] == 40


def test_bad_input_is_named() -> None:
    with pytest.raises(ValueError, match=r"lack column\(s\) \['ConsumedUnit'\]"):
        estimate_usage_emissions(
            pa.Table.from_pylist(LINES).drop_columns(["ConsumedUnit"]), coefficients=load_coefficients()
        )
    with pytest.raises(ValueError, match="utilization must be between 0 and 1"):
        estimate_usage_emissions(
            pa.Table.from_pylist(LINES), coefficients=load_coefficients(), utilization=50
        )
    neg = estimate_usage_emissions(
        pa.Table.from_pylist([dict(LINES[0], ConsumedQuantity=-1.0)]), coefficients=load_coefficients()
    ).to_pylist()[0]
    assert neg["x_UsageCategory"] == "unestimated" and "negative" in neg["x_EstimateNote"]


def test_coefficient_file_errors(tmp_path: Path) -> None:
    with pytest.raises(CoefficientsError, match=r"ccf_coefficients_1999\.1\.yaml does not exist.*2026\.11"):
        load_coefficients("1999.1")
    src = load_coefficients().path.read_text()
    bad = tmp_path / "ccf_coefficients_x.yaml"
    bad.write_text(src.replace("pue: 1.135", "pue: 0.9"))
    with pytest.raises(CoefficientsError, match=r"providers\.aws\.pue = 0\.9 must be >= 1\.0"):
        load_coefficients(path=bad)
    bad.write_text(src.replace("gpu: A10G}", "gpu: H999}", 1))
    with pytest.raises(CoefficientsError, match="gpu 'H999' is not one of gpus"):
        load_coefficients(path=bad)


def test_file_cites_its_source_and_matches_ccf_constants() -> None:
    c = load_coefficients()
    assert c.source["commit"] == "0656d55594b69d74ce35ff18019be36140beaa50"
    assert "cloudcarbonfootprint.org" in c.source["methodology"]
    aws, gcp = c.providers["aws"], c.providers["gcp"]
    assert (aws.min_watts_per_vcpu, aws.max_watts_per_vcpu, aws.pue) == (AWS_MIN_W, AWS_MAX_W, AWS_PUE)
    assert (gcp.min_watts_per_vcpu, gcp.max_watts_per_vcpu, gcp.pue) == (GCP_MIN_W, GCP_MAX_W, GCP_PUE)
    assert (c.storage_wh_per_tb_hour, c.network_kwh_per_gb) == (
        {"ssd": SSD_WH, "hdd": HDD_WH},
        NETWORK_KWH_GB,
    )
    assert c.memory_kwh_per_gb_hour == MEMORY_KWH_GBH


def _mixed_lines(rows: int) -> pa.Table:
    """The hand-checked lines repeated with varied quantities, days, regions and the odd NULL or negative."""
    import numpy as np

    base = pa.Table.from_pylist([*LINES, {**LINES[0], "ConsumedQuantity": None}])
    table = pa.concat_tables([base] * (-(-rows // base.num_rows))).slice(0, rows).combine_chunks()
    rng = np.random.default_rng(7)
    qty = rng.uniform(-5, 100, rows)
    qty_mask = rng.random(rows) < 0.05
    starts = [DAY + dt.timedelta(days=int(d)) for d in rng.integers(-3, 40, rows)]  # Oct, Nov, Dec
    regions = table.column("RegionId").to_pylist()
    regions = [None if i % 97 == 0 else ("atlantis-1" if i % 89 == 0 else r) for i, r in enumerate(regions)]
    table = table.set_column(
        table.schema.get_field_index("ConsumedQuantity"), "ConsumedQuantity", pa.array(qty, mask=qty_mask)
    )
    table = table.set_column(
        table.schema.get_field_index("ChargePeriodStart"),
        "ChargePeriodStart",
        pa.array(starts, pa.timestamp("us", tz="UTC")),
    )
    table = table.set_column(
        table.schema.get_field_index("RegionId"), "RegionId", pa.array(regions, pa.string())
    )
    return table.append_column(
        "PricingQuantity", pa.array(rng.uniform(0, 10, rows), mask=rng.random(rows) < 0.5)
    ).append_column("PricingUnit", pa.array(["Hrs"] * rows, pa.string()))


def test_streamed_and_rewritten_estimates_equal_the_reference_row_for_row() -> None:
    # the reference: the whole-table function as it was before the rewrite (_usage_reference.py)
    from steward.carbon import estimate_usage_batches
    from tests.unit.carbon._usage_reference import reference_estimate

    table = _mixed_lines(5_000)
    coefficients = load_coefficients("2026.11")
    expected = reference_estimate(table, coefficients=coefficients, utilization=0.3)
    whole = estimate_usage_emissions(table, coefficients=coefficients, utilization=0.3)
    chunks = [table.slice(0, 1_700).to_batches()[0], table.slice(1_700)]  # a batch and a table
    streamed = list(
        estimate_usage_batches(chunks, coefficients=coefficients, utilization=0.3, batch_rows=999)
    )
    assert max(b.num_rows for b in streamed) == 999
    assert whole.equals(expected)
    assert pa.Table.from_batches(streamed, schema=expected.schema).equals(expected)
    # the mix exercises every branch: estimated and not, unknown regions, missing and negative quantities
    notes = set(expected.column("x_EstimateNote").to_pylist())
    assert {"no consumed quantity", "negative consumed quantity"} <= notes
    assert any(n and n.startswith("region 'atlantis-1' has no grid factor") for n in notes)
    assert any(n and n.startswith("region None has no grid factor") for n in notes)
    assert len(set(expected.column("x_UsageCategory").to_pylist())) >= 5


def test_streaming_refuses_bad_options_at_once() -> None:
    from steward.carbon import estimate_usage_batches

    with pytest.raises(ValueError, match=r"utilization must be between 0 and 1, got 1\.5"):
        estimate_usage_batches([], coefficients=load_coefficients(), utilization=1.5)
    with pytest.raises(ValueError, match="batch_rows must be at least 1, got 0"):
        estimate_usage_batches([], coefficients=load_coefficients(), batch_rows=0)
    assert list(estimate_usage_batches([], coefficients=load_coefficients())) == []
