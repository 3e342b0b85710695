# Reference fits for the exact regression solver's unit tests, made with scikit-learn (Debian's
# python3-sklearn) on public clinical sets from test/fixtures/clinical. For each set: rows with
# a missing value dropped, numeric columns standardised (population standard deviation, as
# Cohort's alignment does), categorical ones one-hot encoded (every level), then fitted with the
# penalty Cohort uses by default (scikit-learn's defaults: C = 1, alpha = 1), solved to a tight
# tolerance (newton-cg: lbfgs stops a little short of the optimum on these sets).
#
#   /usr/bin/python3 scripts/reference-fits/fit.py   # writes test/fixtures/reference-fits/*.json
import json
import os

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression, Ridge

HERE = os.path.dirname(os.path.abspath(__file__))
CLINICAL = os.path.join(HERE, '..', '..', 'test', 'fixtures', 'clinical')
OUT = os.path.join(HERE, '..', '..', 'test', 'fixtures', 'reference-fits')

SETS = [
    # name, file, target, family, categorical columns, columns used
    ('birthwt', 'birthwt.csv', 'low', 'binomial', ['race'], ['age', 'lwt', 'race', 'smoke', 'ptl', 'ht', 'ui', 'ftv']),
    ('pbc', 'pbc.csv', 'outcome', 'multinomial', ['sex'], ['age', 'sex', 'bili', 'albumin', 'copper', 'protime', 'stage', 'edema']),
    ('airquality', 'airquality.csv', 'Ozone', 'gaussian', [], ['Solar.R', 'Wind', 'Temp', 'Month']),
]


def encode(frame, categorical, columns):
    parts = []
    names = []
    for column in columns:
        if column in categorical:
            levels = sorted(frame[column].astype(str).unique())
            for level in levels:
                parts.append((frame[column].astype(str) == level).astype(float).to_numpy())
                names.append(f'{column}={level}')
        else:
            values = frame[column].astype(float).to_numpy()
            parts.append((values - values.mean()) / values.std())
            names.append(column)
    return np.column_stack(parts), names


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, file, target, family, categorical, columns in SETS:
        frame = pd.read_csv(os.path.join(CLINICAL, file))[columns + [target]].dropna().reset_index(drop=True)
        x, names = encode(frame, categorical, columns)
        if family == 'gaussian':
            y = frame[target].astype(float).to_numpy()
            y = (y - y.mean()) / y.std()
            model = Ridge(alpha=1.0, tol=1e-12).fit(x, y)
            coefficients = [[float(model.intercept_)] + [float(v) for v in model.coef_]]
            labels = None
            encoded_y = y.tolist()
        else:
            labels = sorted(frame[target].astype(str).unique())
            y = frame[target].astype(str).to_numpy()
            model = LogisticRegression(C=1.0, solver='newton-cg', tol=1e-12, max_iter=100000).fit(x, y)
            intercepts = np.atleast_1d(model.intercept_)
            rows = np.atleast_2d(model.coef_)
            coefficients = [[float(intercepts[k])] + [float(v) for v in rows[k]] for k in range(len(intercepts))]
            encoded_y = [labels.index(v) for v in y]
        with open(os.path.join(OUT, f'{name}.json'), 'w') as out:
            json.dump({
                'source': f'test/fixtures/clinical/{file}',
                'fit': 'sklearn.linear_model.Ridge(alpha=1)' if family == 'gaussian' else "sklearn.linear_model.LogisticRegression(C=1, solver='newton-cg')",
                'family': family,
                'features': names,
                'labels': labels,
                'x': [[round(float(v), 12) for v in row] for row in x],
                'y': encoded_y,
                'coefficients': coefficients,
            }, out)
        print(name, x.shape, 'classes' if labels else '', labels)


main()
