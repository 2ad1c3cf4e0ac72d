-- A city's 市汇总 holds its counties' figures, and a province's 省汇总 those of its cities' rollups
-- and its cities' own departments (市本级); the province's own departments (省本级) stand apart.
-- A row returned is a rollup whose 支出合计 is not the sum of its parts.
with

regions as (

    select * from {{ ref('region_comparison') }}

),

parts as (

    select
        fiscal_year,
        left(region_code, 4) as region_code,
        '市汇总' as level,
        sum(expenditure_total_yuan) as expenditure_total_yuan
    from regions
    where level = '县级'
    group by fiscal_year, left(region_code, 4)
    union all
    select
        fiscal_year,
        left(region_code, 2) as region_code,
        '省汇总' as level,
        sum(expenditure_total_yuan) as expenditure_total_yuan
    from regions
    where level in ('市汇总', '市本级')
    group by fiscal_year, left(region_code, 2)

)

select
    rollups.fiscal_year,
    rollups.region_code,
    rollups.level,
    rollups.expenditure_total_yuan,
    parts.expenditure_total_yuan as parts_yuan
from regions as rollups
left join parts
    on
        rollups.fiscal_year = parts.fiscal_year
        and rollups.region_code = parts.region_code
        and rollups.level = parts.level
where rollups.level in ('市汇总', '省汇总')
    and coalesce(rollups.expenditure_total_yuan, 0) <> coalesce(parts.expenditure_total_yuan, 0)
