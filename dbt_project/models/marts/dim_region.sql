with

provinces as (

    select * from {{ ref('admin_provinces') }}

),

cities as (

    select * from {{ ref('admin_cities') }}

),

counties as (

    select * from {{ ref('admin_counties') }}

),

province_rows as (

    select
        code as adcode,
        name as province,
        cast(null as {{ dbt.type_string() }}) as city,
        cast(null as {{ dbt.type_string() }}) as county,
        'province' as level
    from provinces

),

city_rows as (

    select
        cities.code as adcode,
        provinces.name as province,
        cities.name as city,
        cast(null as {{ dbt.type_string() }}) as county,
        'city' as level
    from cities
    inner join provinces
        on cities.provincecode = provinces.code

),

county_rows as (

    select
        counties.code as adcode,
        provinces.name as province,
        case when cities.name = '市辖区' then null else cities.name end as city,
        counties.name as county,
        'county' as level
    from counties
    inner join provinces
        on counties.provincecode = provinces.code
    left join cities
        on counties.citycode = cities.code

),

final as (

    select * from province_rows
    union all
    select * from city_rows
    union all
    select * from county_rows

)

select * from final
