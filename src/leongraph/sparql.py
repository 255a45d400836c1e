"""Routes of the sparql module."""

from fastapi import APIRouter

router = APIRouter()
