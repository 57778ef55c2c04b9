'use strict';
// The "movies" dataset: a subset of the classic Neo4j movies graph, written
// here from public film facts (titles, years, cast and crew, roles). Ratings
// and runtimes are approximate; reviews and reviewers are invented test data.
// Nulls on purpose: reviewers have no `born`, one movie has no tagline.

const { kuzuString: s } = require('./cypher');

const SCHEMA = [
  'CREATE NODE TABLE Person(name STRING, born INT64, PRIMARY KEY(name))',
  'CREATE NODE TABLE Movie(title STRING, released INT64, tagline STRING, release_date DATE, genres STRING[], rating DOUBLE, duration INTERVAL, PRIMARY KEY(title))',
  'CREATE REL TABLE ACTED_IN(FROM Person TO Movie, roles STRING[])',
  'CREATE REL TABLE DIRECTED(FROM Person TO Movie)',
  'CREATE REL TABLE PRODUCED(FROM Person TO Movie)',
  'CREATE REL TABLE WROTE(FROM Person TO Movie)',
  'CREATE REL TABLE REVIEWED(FROM Person TO Movie, rating INT64, summary STRING, reviewed_at TIMESTAMP)',
  'CREATE REL TABLE FOLLOWS(FROM Person TO Person)',
];

// [title, released, tagline, release date, genres, rating, runtime minutes]
const MOVIES = [
  ['The Matrix', 1999, 'Welcome to the Real World', '1999-03-31', ['Action', 'Sci-Fi'], 8.7, 136],
  ['The Matrix Reloaded', 2003, 'Free your mind', '2003-05-15', ['Action', 'Sci-Fi'], 7.2, 138],
  ['The Matrix Revolutions', 2003, 'Everything that has a beginning has an end', '2003-11-05', ['Action', 'Sci-Fi'], 6.7, 129],
  ["The Devil's Advocate", 1997, 'Evil has its winning ways', '1997-10-17', ['Drama', 'Mystery', 'Thriller'], 7.5, 144],
  ['A Few Good Men', 1992, "In the heart of the nation's capital, in a courthouse of the U.S. government, one man will stop at nothing to keep his honor, and one will stop at nothing to find the truth.", '1992-12-11', ['Drama', 'Thriller'], 7.7, 138],
  ['Top Gun', 1986, 'I feel the need, the need for speed.', '1986-05-16', ['Action', 'Drama'], 6.9, 110],
  ['Jerry Maguire', 1996, 'The rest of his life begins now.', '1996-12-13', ['Comedy', 'Drama', 'Romance'], 7.3, 139],
  ['Stand By Me', 1986, "For some, it's the last real taste of innocence, and the first real taste of life. But for everyone, it's the time that memories are made of.", '1986-08-22', ['Adventure', 'Drama'], 8.1, 89],
  ['As Good as It Gets', 1997, 'A comedy from the heart that goes for the throat.', '1997-12-25', ['Comedy', 'Drama', 'Romance'], 7.7, 139],
  ['What Dreams May Come', 1998, 'After life there is more. The end is just the beginning.', '1998-10-02', ['Drama', 'Fantasy', 'Romance'], 7.1, 113],
  ["You've Got Mail", 1998, 'At odds in life... in love on-line.', '1998-12-18', ['Comedy', 'Drama', 'Romance'], 6.7, 119],
  ['Sleepless in Seattle', 1993, 'What if someone you never met, someone you never saw, someone you never knew was the only someone for you?', '1993-06-25', ['Comedy', 'Drama', 'Romance'], 6.8, 105],
  ['When Harry Met Sally', 1989, 'Can two friends sleep together and still love each other in the morning?', '1989-07-21', ['Comedy', 'Drama', 'Romance'], 7.7, 95],
  ['That Thing You Do', 1996, 'In every life there comes a time when that thing you dream becomes that thing you do', '1996-10-04', ['Comedy', 'Drama', 'Music'], 6.9, 108],
  ['Cloud Atlas', 2012, 'Everything is connected — six stories across five centuries: a Pacific voyage in 1849, a composer in 1936 Edinburgh, a reporter in 1973 San Francisco, a publisher fleeing a care home in 2012 London, a fabricant in 2144 Neo Seoul and a goatherd in a fallen Hawaiian valley; the same souls meet again and again, and every kindness and every crime echoes on… «Tout est lié», 一切都是相连的.', '2012-10-26', ['Drama', 'Mystery', 'Sci-Fi'], 7.4, 172],
  ['The Da Vinci Code', 2006, 'Break The Codes', '2006-05-19', ['Mystery', 'Thriller'], 6.6, 149],
  ['V for Vendetta', 2006, 'Freedom! Forever!', '2006-03-17', ['Action', 'Drama', 'Sci-Fi'], 8.1, 132],
  ['Speed Racer', 2008, 'Speed has no limits', '2008-05-09', ['Action', 'Comedy', 'Family'], 6.1, 135],
  ['Ninja Assassin', 2009, 'Prepare to enter a whole new level of ninja.', '2009-11-25', ['Action', 'Crime', 'Thriller'], 6.3, 99],
  ['Cast Away', 2000, 'At the edge of the world, his journey begins.', '2000-12-22', ['Adventure', 'Drama', 'Romance'], 7.8, 143],
  ['Apollo 13', 1995, 'Houston, we have a problem.', '1995-06-30', ['Adventure', 'Drama', 'History'], 7.7, 140],
  ['The Green Mile', 1999, "Walk a mile you'll never forget.", '1999-12-10', ['Crime', 'Drama', 'Fantasy'], 8.6, 189],
  ['Unforgiven', 1992, "It's a hell of a thing, killing a man", '1992-08-07', ['Drama', 'Western'], 8.2, 130],
  ['The Replacements', 2000, 'Pain heals, Chicks dig scars... Glory lasts forever', '2000-08-11', ['Comedy', 'Sport'], 6.6, 118],
  ["Something's Gotta Give", 2003, null, '2003-12-12', ['Comedy', 'Drama', 'Romance'], 6.7, 128],
];

// [name, born]; reviewers have no birth year
const PEOPLE = [
  ['Keanu Reeves', 1964], ['Carrie-Anne Moss', 1967], ['Laurence Fishburne', 1961], ['Hugo Weaving', 1960],
  ['Lilly Wachowski', 1967], ['Lana Wachowski', 1965], ['Joel Silver', 1952], ['Emil Eifrem', 1978],
  ['Charlize Theron', 1975], ['Al Pacino', 1940], ['Taylor Hackford', 1944], ['Tom Cruise', 1962],
  ['Jack Nicholson', 1937], ['Demi Moore', 1962], ['Kevin Bacon', 1958], ['Kiefer Sutherland', 1966],
  ['Cuba Gooding Jr.', 1968], ['Rob Reiner', 1947], ['Aaron Sorkin', 1961], ['Kelly McGillis', 1957],
  ['Val Kilmer', 1959], ['Anthony Edwards', 1962], ['Meg Ryan', 1961], ['Tony Scott', 1944],
  ['Jim Cash', 1941], ['Renée Zellweger', 1969], ['Tom Hanks', 1956], ['Cameron Crowe', 1957],
  ['Helen Hunt', 1963], ['Greg Kinnear', 1963], ['James L. Brooks', 1940], ['Nora Ephron', 1941],
  ['Billy Crystal', 1948], ['Robin Williams', 1951], ['Vincent Ward', 1956], ['Wil Wheaton', 1972],
  ['River Phoenix', 1970], ["Jerry O'Connell", 1974], ['Halle Berry', 1966], ['Jim Broadbent', 1949],
  ['배두나', 1979], ['Tom Tykwer', 1965], ['David Mitchell', 1969], ['Stefan Arndt', 1961],
  ['Ian McKellen', 1939], ['Audrey Tautou', 1976], ['Ron Howard', 1954], ['Natalie Portman', 1981],
  ['James McTeigue', 1967], ['Rain', 1982], ['Robert Zemeckis', 1951], ['Ed Harris', 1950],
  ['Bill Paxton', 1955], ['Gary Sinise', 1955], ['Michael Clarke Duncan', 1957], ['Frank Darabont', 1959],
  ['Clint Eastwood', 1930], ['Gene Hackman', 1930], ['Howard Deutch', 1950], ['Diane Keaton', 1946],
  ['Nancy Meyers', 1949],
  ['Jessica Thompson', null], ['James Thompson', null], ['Angela Scope', null], ['Paul Blythe', null],
];

// [person, movie, roles]
const ACTED_IN = [
  ['Keanu Reeves', 'The Matrix', ['Neo']], ['Carrie-Anne Moss', 'The Matrix', ['Trinity']],
  ['Laurence Fishburne', 'The Matrix', ['Morpheus']], ['Hugo Weaving', 'The Matrix', ['Agent Smith']],
  ['Emil Eifrem', 'The Matrix', ['Emil']],
  ['Keanu Reeves', 'The Matrix Reloaded', ['Neo']], ['Carrie-Anne Moss', 'The Matrix Reloaded', ['Trinity']],
  ['Laurence Fishburne', 'The Matrix Reloaded', ['Morpheus']], ['Hugo Weaving', 'The Matrix Reloaded', ['Agent Smith']],
  ['Keanu Reeves', 'The Matrix Revolutions', ['Neo']], ['Carrie-Anne Moss', 'The Matrix Revolutions', ['Trinity']],
  ['Laurence Fishburne', 'The Matrix Revolutions', ['Morpheus']], ['Hugo Weaving', 'The Matrix Revolutions', ['Agent Smith']],
  ['Keanu Reeves', "The Devil's Advocate", ['Kevin Lomax']], ['Charlize Theron', "The Devil's Advocate", ['Mary Ann Lomax']],
  ['Al Pacino', "The Devil's Advocate", ['John Milton']],
  ['Tom Cruise', 'A Few Good Men', ['Lt. Daniel Kaffee']], ['Jack Nicholson', 'A Few Good Men', ['Col. Nathan R. Jessup']],
  ['Demi Moore', 'A Few Good Men', ['Lt. Cdr. JoAnne Galloway']], ['Kevin Bacon', 'A Few Good Men', ['Capt. Jack Ross']],
  ['Kiefer Sutherland', 'A Few Good Men', ['Lt. Jonathan Kendrick']], ['Cuba Gooding Jr.', 'A Few Good Men', ['Cpl. Carl Hammaker']],
  ['Tom Cruise', 'Top Gun', ['Maverick']], ['Kelly McGillis', 'Top Gun', ['Charlie']], ['Val Kilmer', 'Top Gun', ['Iceman']],
  ['Anthony Edwards', 'Top Gun', ['Goose']], ['Meg Ryan', 'Top Gun', ['Carole']],
  ['Tom Cruise', 'Jerry Maguire', ['Jerry Maguire']], ['Cuba Gooding Jr.', 'Jerry Maguire', ['Rod Tidwell']],
  ['Renée Zellweger', 'Jerry Maguire', ['Dorothy Boyd']],
  ['Wil Wheaton', 'Stand By Me', ['Gordie Lachance']], ['River Phoenix', 'Stand By Me', ['Chris Chambers']],
  ["Jerry O'Connell", 'Stand By Me', ['Vern Tessio']], ['Kiefer Sutherland', 'Stand By Me', ['Ace Merrill']],
  ['Jack Nicholson', 'As Good as It Gets', ['Melvin Udall']], ['Helen Hunt', 'As Good as It Gets', ['Carol Connelly']],
  ['Greg Kinnear', 'As Good as It Gets', ['Simon Bishop']], ['Cuba Gooding Jr.', 'As Good as It Gets', ['Frank Sachs']],
  ['Robin Williams', 'What Dreams May Come', ['Chris Nielsen']], ['Cuba Gooding Jr.', 'What Dreams May Come', ['Albert Lewis']],
  ['Tom Hanks', "You've Got Mail", ['Joe Fox']], ['Meg Ryan', "You've Got Mail", ['Kathleen Kelly']],
  ['Greg Kinnear', "You've Got Mail", ['Frank Navasky']],
  ['Tom Hanks', 'Sleepless in Seattle', ['Sam Baldwin']], ['Meg Ryan', 'Sleepless in Seattle', ['Annie Reed']],
  ['Billy Crystal', 'When Harry Met Sally', ['Harry Burns']], ['Meg Ryan', 'When Harry Met Sally', ['Sally Albright']],
  ['Tom Hanks', 'That Thing You Do', ['Mr. White']],
  ['Tom Hanks', 'Cloud Atlas', ['Zachry', 'Dr. Henry Goose', 'Isaac Sachs', 'Dermot Hoggins']],
  ['Hugo Weaving', 'Cloud Atlas', ['Bill Smoke', 'Haskell Moore', 'Tadeusz Kesselring', 'Nurse Noakes', 'Boardman Mephi', 'Old Georgie']],
  ['Halle Berry', 'Cloud Atlas', ['Luisa Rey', 'Jocasta Ayrs', 'Ovid', 'Meronym']],
  ['Jim Broadbent', 'Cloud Atlas', ['Vyvyan Ayrs', 'Captain Molyneux', 'Timothy Cavendish']],
  ['배두나', 'Cloud Atlas', ['Sonmi-451', 'Tilda Ewing', 'Mexican Woman']],
  ['Tom Hanks', 'The Da Vinci Code', ['Dr. Robert Langdon']], ['Ian McKellen', 'The Da Vinci Code', ['Sir Leigh Teabing']],
  ['Audrey Tautou', 'The Da Vinci Code', ['Sophie Neveu']],
  ['Hugo Weaving', 'V for Vendetta', ['V']], ['Natalie Portman', 'V for Vendetta', ['Evey Hammond']],
  ['Rain', 'Speed Racer', ['Taejo Togokahn']], ['Rain', 'Ninja Assassin', ['Raizo']],
  ['Tom Hanks', 'Cast Away', ['Chuck Noland']], ['Helen Hunt', 'Cast Away', ['Kelly Frears']],
  ['Tom Hanks', 'Apollo 13', ['Jim Lovell']], ['Kevin Bacon', 'Apollo 13', ['Jack Swigert']],
  ['Ed Harris', 'Apollo 13', ['Gene Kranz']], ['Bill Paxton', 'Apollo 13', ['Fred Haise']],
  ['Gary Sinise', 'Apollo 13', ['Ken Mattingly']],
  ['Tom Hanks', 'The Green Mile', ['Paul Edgecomb']], ['Michael Clarke Duncan', 'The Green Mile', ['John Coffey']],
  ['Clint Eastwood', 'Unforgiven', ['Bill Munny']], ['Gene Hackman', 'Unforgiven', ['Little Bill Daggett']],
  ['Keanu Reeves', 'The Replacements', ['Shane Falco']], ['Gene Hackman', 'The Replacements', ['Jimmy McGinty']],
  ['Jack Nicholson', "Something's Gotta Give", ['Harry Sanborn']], ['Diane Keaton', "Something's Gotta Give", ['Erica Barry']],
  ['Keanu Reeves', "Something's Gotta Give", ['Julian Mercer']],
];

const DIRECTED = [
  ['Lilly Wachowski', 'The Matrix'], ['Lana Wachowski', 'The Matrix'],
  ['Lilly Wachowski', 'The Matrix Reloaded'], ['Lana Wachowski', 'The Matrix Reloaded'],
  ['Lilly Wachowski', 'The Matrix Revolutions'], ['Lana Wachowski', 'The Matrix Revolutions'],
  ['Taylor Hackford', "The Devil's Advocate"], ['Rob Reiner', 'A Few Good Men'], ['Tony Scott', 'Top Gun'],
  ['Cameron Crowe', 'Jerry Maguire'], ['Rob Reiner', 'Stand By Me'], ['James L. Brooks', 'As Good as It Gets'],
  ['Vincent Ward', 'What Dreams May Come'], ['Nora Ephron', "You've Got Mail"], ['Nora Ephron', 'Sleepless in Seattle'],
  ['Rob Reiner', 'When Harry Met Sally'], ['Tom Hanks', 'That Thing You Do'],
  ['Tom Tykwer', 'Cloud Atlas'], ['Lilly Wachowski', 'Cloud Atlas'], ['Lana Wachowski', 'Cloud Atlas'],
  ['Ron Howard', 'The Da Vinci Code'], ['James McTeigue', 'V for Vendetta'],
  ['Lilly Wachowski', 'Speed Racer'], ['Lana Wachowski', 'Speed Racer'], ['James McTeigue', 'Ninja Assassin'],
  ['Robert Zemeckis', 'Cast Away'], ['Ron Howard', 'Apollo 13'], ['Frank Darabont', 'The Green Mile'],
  ['Clint Eastwood', 'Unforgiven'], ['Howard Deutch', 'The Replacements'], ['Nancy Meyers', "Something's Gotta Give"],
];

const PRODUCED = [
  ['Joel Silver', 'The Matrix'], ['Joel Silver', 'The Matrix Reloaded'], ['Joel Silver', 'The Matrix Revolutions'],
  ['Stefan Arndt', 'Cloud Atlas'], ['Joel Silver', 'V for Vendetta'], ['Lilly Wachowski', 'V for Vendetta'],
  ['Lana Wachowski', 'V for Vendetta'], ['Joel Silver', 'Speed Racer'], ['Joel Silver', 'Ninja Assassin'],
  ['Rob Reiner', 'When Harry Met Sally'], ['Cameron Crowe', 'Jerry Maguire'], ['Nancy Meyers', "Something's Gotta Give"],
];

const WROTE = [
  ['Aaron Sorkin', 'A Few Good Men'], ['Jim Cash', 'Top Gun'], ['Cameron Crowe', 'Jerry Maguire'],
  ['Nora Ephron', 'When Harry Met Sally'], ['David Mitchell', 'Cloud Atlas'], ['Lilly Wachowski', 'V for Vendetta'],
  ['Lana Wachowski', 'V for Vendetta'], ['Lilly Wachowski', 'Speed Racer'], ['Lana Wachowski', 'Speed Racer'],
  ['Nancy Meyers', "Something's Gotta Give"],
];

// [reviewer, movie, rating, summary, reviewed at]
const REVIEWED = [
  ['Jessica Thompson', 'Cloud Atlas', 95, 'Six stories, one breathtaking ride', '2013-01-05 20:15:00'],
  ['Jessica Thompson', 'The Replacements', 65, 'Light, loud and fun enough', '2012-11-20 09:30:00.5'],
  ['Jessica Thompson', 'The Da Vinci Code', 68, 'Puzzles first, people second', '2012-12-01 18:00:00'],
  ['Jessica Thompson', 'Jerry Maguire', 92, 'Warm, funny and sharp', '2013-02-14 21:45:30.25'],
  ['James Thompson', 'The Replacements', 100, 'Best football comedy I know', '2012-11-21 10:00:00'],
  ['James Thompson', 'The Da Vinci Code', 65, 'Entertaining if far-fetched', '2012-12-02 08:05:00'],
  ['Angela Scope', 'The Replacements', 62, 'Some good laughs', '2012-11-25 16:40:00'],
  ['Paul Blythe', 'Unforgiven', 88, 'A western without heroes', '2013-03-10 12:00:00'],
];

const FOLLOWS = [
  ['James Thompson', 'Jessica Thompson'], ['Angela Scope', 'Jessica Thompson'], ['Paul Blythe', 'Angela Scope'],
];

const lit = (v) => (v === null ? 'NULL' : typeof v === 'string' ? s(v) : Array.isArray(v) ? '[' + v.map(lit).join(', ') + ']' : String(v));

function statements() {
  const out = SCHEMA.slice();
  out.push('CREATE ' + PEOPLE.map(([name, born]) =>
    born === null ? `(:Person {name: ${lit(name)}})` : `(:Person {name: ${lit(name)}, born: ${born}})`).join(', '));
  out.push('CREATE ' + MOVIES.map(([title, year, tagline, date, genres, rating, minutes]) =>
    `(:Movie {title: ${lit(title)}, released: ${year}, tagline: ${lit(tagline)}, release_date: date(${lit(date)}), ` +
    `genres: ${lit(genres)}, rating: ${rating}, duration: CAST(${lit(minutes + ' minutes')} AS INTERVAL)})`).join(', '));
  const rels = (type, rows, props, fields) =>
    `UNWIND [${rows.map((r) => '{' + fields.map((f, k) => `${f}: ${lit(r[k])}`).join(', ') + '}').join(', ')}] AS r ` +
    `MATCH (a:Person {name: r.a}), (b:${type === 'FOLLOWS' ? 'Person' : 'Movie'} {${type === 'FOLLOWS' ? 'name' : 'title'}: r.b}) ` +
    `CREATE (a)-[:${type}${props}]->(b)`;
  out.push(rels('ACTED_IN', ACTED_IN, ' {roles: r.roles}', ['a', 'b', 'roles']));
  out.push(rels('DIRECTED', DIRECTED, '', ['a', 'b']));
  out.push(rels('PRODUCED', PRODUCED, '', ['a', 'b']));
  out.push(rels('WROTE', WROTE, '', ['a', 'b']));
  out.push(rels('REVIEWED', REVIEWED, ' {rating: r.rating, summary: r.summary, reviewed_at: timestamp(r.at)}', ['a', 'b', 'rating', 'summary', 'at']));
  out.push(rels('FOLLOWS', FOLLOWS, '', ['a', 'b']));
  return out;
}

module.exports = {
  statements,
  counts: {
    Person: PEOPLE.length, Movie: MOVIES.length, ACTED_IN: ACTED_IN.length, DIRECTED: DIRECTED.length,
    PRODUCED: PRODUCED.length, WROTE: WROTE.length, REVIEWED: REVIEWED.length, FOLLOWS: FOLLOWS.length,
  },
};
