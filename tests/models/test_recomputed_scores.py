"""Each sample project's recomputed total against a hand computation (DOMAIN §3 rules)."""
from decimal import Decimal

import duckdb
import pytest

XIAOYI_FULL_MARKS = [
    "C22云视讯视频会议系统专线使用费项目", "社会组织法定代表人离任审计、注销清算审计", "新开办企业免费刻制印章",
    "通信光缆租赁服务项目", "开评标区安装屏蔽系统项目", "孝义市惠企政策采集梳理及运营服务项目",
    "2025-2027年电子政务外网服务及项目可研等", "电子政务外网服务项目", "办件结果邮寄项目", "市民服务中心工装采购费用",
    "维护市民服务中心智能化平台易损设备项目", "专家劳务费用", "基层就近办建设项目", "便民办事服务平台定制开发服务",
]

BY_HAND = {
    # every execution rate is 100% (10 points) and every indicator met: 10 + 90
    **{name: (Decimal("100.00"), "优") for name in XIAOYI_FULL_MARKS},
    # 证照印制数量 ≥12000份 but 2800 printed: 10 × 2800 / 12000 = 2.33 instead of 10 -> 100 − 10 + 2.33
    "证照印制费用": (Decimal("92.33"), "优"),
    # indicator points add up to 85 (20+10+10+5+5+5+5+10+5+10), all met; + execution 10
    "山西CA数字证书办理费": (Decimal("95.00"), "优"),
    # execution 10 × 790.35 / 1650 = 4.79; indicators 7.74 (kept: 份 against %) + 12.85 + 0 (kept:
    # no single target) + 12.85 + 3 × 12.34 (72% of ≥75%) = 70.46; total 75.25
    "营商环境评估费": (Decimal("75.25"), "中"),
    # 8 × 11.25 met (the ≤0 accident rate too, scored 0 in the document) + execution 10 × 1134.46 / 1134.47 = 10.00
    "政务大厅水电暖物业管理费": (Decimal("100.00"), "优"),
    # 20 + 7 × 10 + 9 (100% against ≥99%); no executed amount is stated, so no execution score
    "炎陵县政务服务中心": (Decimal("99.00"), "优"),
    # no points are printed: nothing to recompute from
    "大厅运行经费": (None, None),
    # a prose report without an indicator table
    "房租及物业补助经费项目": (None, None),
}


@pytest.fixture(scope="module")
def recomputed(built_warehouse):
    with duckdb.connect(str(built_warehouse["settings"].db_path), read_only=True) as con:
        rows = con.execute(
            "select project_name, total_score_recomputed, grade_recomputed from marts.fct_project_evaluation"
        ).fetchall()
    return {name: (score, grade) for name, score, grade in rows}


def test_every_sample_project_is_recomputed(recomputed):
    assert set(recomputed) == set(BY_HAND)


@pytest.mark.parametrize("project", sorted(BY_HAND))
def test_recomputed_total_matches_the_hand_computation(recomputed, project):
    assert recomputed[project] == BY_HAND[project]
