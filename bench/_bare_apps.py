"""The bare FastAPI apps that ``bench/http_api.py`` measures borderplates against, served by the same uvicorn command.

``constant``: one ``async def`` route answering a constant JSON object with a declared
return type. ``insert``: one route that inserts a row into a SQLite (WAL) table and
commits, the least an issuance must do. Both use ``BENCH_DB`` for their file.
"""

from __future__ import annotations

import datetime as dt
import os

import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.telemetry import TelemetryConfig
from pydantic import BaseModel

from borderplates.registry import create_engine

OFF: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False, "operation_spans": False}


class Answer(BaseModel):
    decision: str
    reasons: list[str]


class Row(BaseModel):
    plate: str


def constant() -> FastAPI:
    app = FastAPI(telemetry=OFF)
    answer = Answer(decision="admit", reasons=["holds temporary registration K7QM-4TXR-M, valid 2021-09-27 to 2021-11-25"])

    @app.get("/check")
    async def check() -> Answer:
        return answer

    return app


def insert() -> FastAPI:
    engine = create_engine(f"sqlite:///{os.environ['BENCH_DB']}")
    table = sa.Table("rows", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True), sa.Column("plate", sa.String(20)), sa.Column("at", sa.String(40)))
    table.metadata.create_all(engine)
    app = FastAPI(telemetry=OFF)

    @app.post("/issue", status_code=201)
    def issue(row: Row) -> dict[str, int]:
        with engine.begin() as conn:
            new = conn.execute(table.insert().values(plate=row.plate, at=dt.datetime.now(dt.UTC).isoformat())).inserted_primary_key
        return {"id": int(new[0]) if new else 0}

    return app
