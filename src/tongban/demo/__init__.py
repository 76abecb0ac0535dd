"""Demo data set: four seed regions, their partners, 30+ 跨省通办 items, agreements and
demo accounts for every role. Everything here is labelled demo data; load it with
``tongban demo`` (or ``tongban.demo.seed.demo_seed``)."""
